/**
 * The SageMaker contract server over a real S3-protocol server, with no container behind the endpoints: for tests
 * whose answers are SageMaker's own (played back with `answerNext`), given before a container would be invoked.
 */
import { EdgeStorage, SageMakerAsyncProvider, SageMakerRealtimeProvider } from '@stipple/adapters';
import { jobSchema } from '@stipple/jobs';
import { S3RVER_CREDENTIALS, type S3Server, startS3Server } from './s3-server.ts';
import {
  type SageMakerContractServer,
  startSageMakerContractServer,
  stippleEndpoints,
} from './sagemaker-contract-server.ts';

export const BUCKET = 'results';
const REGION = 'eu-west-1';
/** The example key pair of AWS's documentation. */
const AWS_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
/** A port nothing listens on. */
const NO_CONTAINER = 'http://127.0.0.1:9';

export interface SageMakerTestStack {
  s3: S3Server;
  contract: SageMakerContractServer;
  storage: EdgeStorage;
  realtime(): SageMakerRealtimeProvider;
  async(): SageMakerAsyncProvider;
  stop(): Promise<void>;
}

export async function startSageMakerTestStack(): Promise<SageMakerTestStack> {
  const s3 = await startS3Server({ buckets: [BUCKET] });
  const storage = new EdgeStorage({ endpoint: s3.endpoint, credentials: S3RVER_CREDENTIALS });
  const contract = await startSageMakerContractServer({
    region: REGION,
    credentials: AWS_CREDENTIALS,
    s3: { endpoint: s3.endpoint, credentials: S3RVER_CREDENTIALS },
    endpoints: stippleEndpoints(NO_CONTAINER, BUCKET),
  }).catch(async (error: unknown) => {
    await s3.stop();
    throw error;
  });
  const settings = (endpointName: string) => ({
    endpointName,
    region: REGION,
    credentials: AWS_CREDENTIALS,
    runtimeUrl: contract.url,
    apiUrl: contract.url,
    models: ['tiny-shapes'],
    workerSecret: 'adapters-test-secret-0123',
    storage,
  });
  return {
    s3,
    contract,
    storage,
    realtime: () => new SageMakerRealtimeProvider(settings('stipple-realtime')),
    async: () => new SageMakerAsyncProvider(settings('stipple-async')),
    async stop() {
      await contract.stop();
      await s3.stop();
    },
  };
}

let jobs = 0;

/** A small job with a fresh id. */
export function cannedJob(prefix: string) {
  jobs += 1;
  return jobSchema.parse({
    jobId: `${prefix}-${jobs}`,
    tenantId: 'acme',
    modelId: 'tiny-shapes',
    parameters: { prompt: 'a red circle', steps: 2, seed: 1 },
    output: { bucket: BUCKET, keyPrefix: prefix },
  });
}
