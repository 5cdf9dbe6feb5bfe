import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import {
  EdgeStorage,
  parseSignatureAttributes,
  SageMakerAsyncProvider,
  type SageMakerAsyncProviderOptions,
  SageMakerError,
  SageMakerRealtimeProvider,
} from '@stipple/adapters';
import { jobSchema, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyRequest } from '@stipple/jobs';
import { S3RVER_CREDENTIALS, type S3Server, s3ClientFor, startS3Server } from '@stipple/test-support/s3-server';
import {
  type SageMakerContractServer,
  startSageMakerContractServer,
  stippleEndpoints,
} from '@stipple/test-support/sagemaker-contract-server';
import { testImageProvider, waitForState } from '@stipple/test-support/test-image-provider';
import { startWorker, type WorkerProcess } from '@stipple/test-support/worker-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SECRET = 'adapters-test-secret-0123';
const BUCKET = 'results';
const REGION = 'eu-west-1';
/** The example key pair of AWS's documentation. */
const AWS_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

let s3: S3Server;
let worker: WorkerProcess;
let contract: SageMakerContractServer;
let storage: EdgeStorage;

beforeAll(async () => {
  s3 = await startS3Server({ buckets: [BUCKET] });
  worker = await startWorker({ ...s3.env, WORKER_SECRET: SECRET });
  storage = new EdgeStorage({ endpoint: s3.endpoint, credentials: S3RVER_CREDENTIALS });
  contract = await startSageMakerContractServer({
    region: REGION,
    credentials: AWS_CREDENTIALS,
    s3: { endpoint: s3.endpoint, credentials: S3RVER_CREDENTIALS },
    endpoints: stippleEndpoints(worker.url, BUCKET),
  });
});
afterAll(async () => {
  await contract?.stop();
  await worker?.stop();
  await s3?.stop();
});

function settings(endpointName: string) {
  return {
    endpointName,
    region: REGION,
    credentials: AWS_CREDENTIALS,
    runtimeUrl: contract.url,
    apiUrl: contract.url,
    models: ['tiny-shapes'],
    workerSecret: SECRET,
    storage,
  };
}

function asyncProvider(change: Partial<SageMakerAsyncProviderOptions> = {}) {
  return new SageMakerAsyncProvider({ ...settings('stipple-async'), ...change });
}

function job(jobId: string, steps = 4) {
  return jobSchema.parse({
    jobId,
    tenantId: 'acme',
    modelId: 'tiny-shapes',
    parameters: { prompt: 'a green triangle', steps, seed: 5 },
    output: { bucket: BUCKET, keyPrefix: 'sagemaker' },
  });
}

testImageProvider('the sagemaker-async provider against the SageMaker contract server', async () => ({
  provider: asyncProvider(),
  storage,
  bucket: BUCKET,
  keyPrefix: 'async-conformance',
  settle: () => contract.asyncIdle(),
}));

testImageProvider('the sagemaker-realtime provider against the SageMaker contract server', async () => ({
  provider: new SageMakerRealtimeProvider(settings('stipple-realtime')),
  storage,
  bucket: BUCKET,
  keyPrefix: 'realtime-conformance',
}));

describe('the SageMaker providers', () => {
  it('sign every call with SigV4 and carry the worker signature of the exact body in custom attributes', async () => {
    const before = contract.requests.length;
    const { handle } = await asyncProvider().submit({ job: job('signed-1') });
    await waitForState(asyncProvider(), handle, ['succeeded'], { settle: () => contract.asyncIdle() });
    const [invocation] = contract.requests.slice(before);
    expect(invocation).toMatchObject({
      operation: 'InvokeEndpointAsync',
      endpointName: 'stipple-async',
      signature: 'valid',
    });
    expect(invocation.headers['x-amzn-sagemaker-inputlocation']).toBe(
      `s3://${BUCKET}/sagemaker-inputs/acme/signed-1.json`,
    );
    expect(invocation.headers['x-amzn-sagemaker-content-type']).toBe('application/json');
    expect(invocation.headers['x-amzn-sagemaker-inference-id']).toBe('signed-1');
    const staged = await storage.getText({ bucket: BUCKET, key: 'sagemaker-inputs/acme/signed-1.json' });
    const attributes = parseSignatureAttributes(invocation.headers['x-amzn-sagemaker-custom-attributes'] as string);
    expect(Object.keys(attributes).sort()).toEqual([SIGNATURE_HEADER, TIMESTAMP_HEADER]);
    const verdict = await verifyRequest({
      secret: SECRET,
      method: 'POST',
      path: '/invocations',
      body: staged!,
      headers: attributes,
    });
    expect(verdict).toEqual({ ok: true });
    expect(handle.providerData).toMatchObject({
      inferenceId: 'signed-1',
      outputLocation: `s3://${BUCKET}/sagemaker-outputs/signed-1.out`,
      failureLocation: `s3://${BUCKET}/sagemaker-failures/signed-1-error.out`,
    });
    expect(contract.requests.every((request) => request.signature === 'valid')).toBe(true);
  });

  it('are refused with a wrong AWS secret: unauthorized, never started', async () => {
    const wrong = { ...AWS_CREDENTIALS, secretAccessKey: 'not-the-secret-key' };
    const error = await asyncProvider({ credentials: wrong })
      .submit({ job: job('wrong-key-1') })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SageMakerError);
    expect(error).toMatchObject({
      code: 'provider_unauthorized',
      awsErrorType: 'InvalidSignatureException',
      neverStarted: true,
      isRetryable: false,
    });
    expect(contract.requests.at(-1)?.signature).toBe('mismatch');
  });

  it('are refused for an endpoint that does not exist, before anything runs', async () => {
    const provider = new SageMakerRealtimeProvider(settings('no-such-endpoint'));
    const error = await provider.submit({ job: job('missing-endpoint-1') }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'provider_unavailable',
      awsErrorType: 'ValidationError',
      neverStarted: true,
      httpStatus: 400,
    });
    expect(await provider.health()).toMatchObject({ healthy: false });
    expect((await provider.health()).detail).toMatch(/Could not find endpoint "no-such-endpoint"/);
  });

  it('report unhealthy while DescribeEndpoint says the endpoint is not InService', async () => {
    contract.endpoints['stipple-realtime'].status = 'Updating';
    try {
      expect(await new SageMakerRealtimeProvider(settings('stipple-realtime')).health()).toEqual({
        healthy: false,
        detail: 'Updating',
      });
    } finally {
      contract.endpoints['stipple-realtime'].status = 'InService';
    }
  });
});

describe('the sagemaker-async provider', () => {
  it('reports queued, honestly, for as long as the endpoint has not run the job', async () => {
    contract.pauseAsync();
    const provider = asyncProvider();
    const { handle, state } = await provider.submit({ job: job('scaled-to-zero-1') });
    try {
      expect(state).toBe('queued');
      for (let poll = 0; poll < 3; poll++) expect(await provider.status({ handle })).toEqual({ state: 'queued' });
      expect(await provider.result({ handle })).toBeUndefined();
    } finally {
      contract.resumeAsync();
    }
    await contract.asyncIdle();
    expect(await provider.status({ handle })).toEqual({ state: 'succeeded' });
    expect(contract.asyncErrors).toEqual([]);
  });

  it("reads the result from SageMaker's output location when the manifest cannot be read", async () => {
    const provider = asyncProvider();
    const { handle } = await provider.submit({ job: job('output-location-1') });
    await waitForState(provider, handle, ['succeeded'], { settle: () => contract.asyncIdle() });
    const manifest = await provider.result({ handle });
    const client = s3ClientFor(s3);
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: handle.manifest.key }));
    client.destroy();
    expect(await storage.readManifest(handle.manifest)).toBeUndefined();
    expect(await provider.result({ handle })).toEqual(manifest);
    expect(await provider.status({ handle })).toEqual({ state: 'succeeded' });
  });

  it('rejects call options outside SageMaker’s ranges, naming them', async () => {
    const providerOptions = { 'sagemaker-async': { requestTtlSeconds: 30 } };
    await expect(asyncProvider().submit({ job: job('bad-ttl-1'), providerOptions })).rejects.toThrow(
      'providerOptions.sagemaker-async: requestTtlSeconds 30 is out of range; use an integer 60–21600',
    );
    const accepted = await asyncProvider().submit({
      job: job('good-ttl-1'),
      providerOptions: { 'sagemaker-async': { requestTtlSeconds: 600, invocationTimeoutSeconds: 60 } },
    });
    expect(contract.requests.at(-1)?.headers).toMatchObject({
      'x-amzn-sagemaker-requestttlseconds': '600',
      'x-amzn-sagemaker-invocationtimeoutseconds': '60',
    });
    await waitForState(asyncProvider(), accepted.handle, ['succeeded'], { settle: () => contract.asyncIdle() });
  });
});

describe('the sagemaker-realtime provider', () => {
  it('reports a job that outlasts the real-time limit as possibly started, not as refused', async () => {
    const short = await startSageMakerContractServer({
      region: REGION,
      credentials: AWS_CREDENTIALS,
      s3: { endpoint: s3.endpoint, credentials: S3RVER_CREDENTIALS },
      endpoints: { 'stipple-realtime': { containerUrl: worker.url } },
      realtimeLimitMs: 200,
    });
    try {
      const provider = new SageMakerRealtimeProvider({ ...settings('stipple-realtime'), runtimeUrl: short.url });
      const error = await provider.submit({ job: job('too-long-1', 1000) }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({
        code: 'provider_failed',
        awsErrorType: 'ModelError',
        neverStarted: false,
        httpStatus: 424,
      });
      expect((await provider.capabilities()).maxJobSeconds).toBe(60);
    } finally {
      await short.stop();
    }
  });
});
