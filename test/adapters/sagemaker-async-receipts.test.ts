import { ProviderPool, SageMakerError, systemClock } from '@stipple/adapters';
import type { CannedAnswer } from '@stipple/test-support/sagemaker-canned-answers';
import {
  BUCKET,
  cannedJob,
  type SageMakerTestStack,
  startSageMakerTestStack,
} from '@stipple/test-support/sagemaker-test-stack';
import { ScriptedProvider } from '@stipple/test-support/scripted-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let stack: SageMakerTestStack;

beforeAll(async () => {
  stack = await startSageMakerTestStack();
});
afterAll(() => stack?.stop());

const OUTPUT = `s3://${BUCKET}/sagemaker-outputs/sm-1.out`;
const FAILURE = `s3://${BUCKET}/sagemaker-failures/sm-1-error.out`;
const locationHeaders = {
  'x-amzn-sagemaker-outputlocation': OUTPUT,
  'x-amzn-sagemaker-failurelocation': FAILURE,
};

/** Submits a job that SageMaker answers with `answer`; the job, and the result or the error. */
async function submitAnswered(answer: CannedAnswer) {
  stack.contract.answerNext('InvokeEndpointAsync', answer);
  const job = cannedJob('receipts');
  const outcome = await stack
    .async()
    .submit({ job })
    .catch((caught: unknown) => caught);
  return { job, outcome };
}

/** InvokeEndpointAsync's 202 (SageMaker Runtime API Reference, InvokeEndpointAsync, "Response Syntax") and variants. */
describe('the sagemaker-async provider reading SageMaker’s 202', () => {
  it('sends no body, as application/octet-stream, as the AWS SDK does', async () => {
    const { job } = await submitAnswered({ status: 202, headers: locationHeaders, body: '{"InferenceId":"sm-1"}' });
    const request = stack.contract.requests.at(-1);
    expect(request).toMatchObject({ operation: 'InvokeEndpointAsync', signature: 'valid' });
    expect(request?.headers['content-type']).toBe('application/octet-stream');
    expect(request?.body.length).toBe(0);
    expect(request?.headers['x-amzn-sagemaker-inputlocation']).toBe(
      `s3://${BUCKET}/sagemaker-inputs/acme/${job.jobId}.json`,
    );
  });

  it('takes the locations from the headers when the body is not JSON', async () => {
    const { job, outcome } = await submitAnswered({
      status: 202,
      headers: { ...locationHeaders, 'content-type': 'text/plain' },
      body: 'Accepted',
    });
    expect(outcome).toMatchObject({
      state: 'queued',
      handle: { providerData: { inferenceId: job.jobId, outputLocation: OUTPUT, failureLocation: FAILURE } },
    });
  });

  it('takes the locations from the headers when the body is JSON of another shape', async () => {
    const { job, outcome } = await submitAnswered({
      status: 202,
      headers: locationHeaders,
      body: '{"InferenceId":42}',
    });
    expect(outcome).toMatchObject({
      state: 'queued',
      handle: { providerData: { inferenceId: job.jobId, outputLocation: OUTPUT } },
    });
  });

  it('takes the inference id from the body, else from X-Amzn-SageMaker-InferenceId', async () => {
    const fromBody = await submitAnswered({ status: 202, headers: locationHeaders, body: '{"InferenceId":"sm-1"}' });
    expect(fromBody.outcome).toMatchObject({ handle: { providerData: { inferenceId: 'sm-1' } } });
    const headers = { ...locationHeaders, 'x-amzn-sagemaker-inferenceid': 'sm-2' };
    const fromHeader = await submitAnswered({ status: 202, headers, body: '' });
    expect(fromHeader.outcome).toMatchObject({ handle: { providerData: { inferenceId: 'sm-2' } } });
  });

  it('takes the locations from a JSON body when the headers are missing', async () => {
    const body = JSON.stringify({ InferenceId: 'sm-3', OutputLocation: OUTPUT, FailureLocation: FAILURE });
    const { outcome } = await submitAnswered({ status: 202, headers: { 'content-type': 'application/json' }, body });
    expect(outcome).toMatchObject({
      state: 'queued',
      handle: { providerData: { inferenceId: 'sm-3', outputLocation: OUTPUT, failureLocation: FAILURE } },
    });
  });

  for (const [name, answer] of Object.entries({
    'no output location and a body that is not JSON': { status: 202, body: '<html>Accepted</html>' },
    'an output location that is not an S3 URI': {
      status: 202,
      headers: { 'x-amzn-sagemaker-outputlocation': 'https://example.com/out' },
      body: '{}',
    },
  })) {
    it(`reports ${name} as queued with an unknown outcome, not as a parse error`, async () => {
      const { outcome } = await submitAnswered(answer);
      expect(outcome).toBeInstanceOf(SageMakerError);
      expect(outcome).not.toBeInstanceOf(SyntaxError);
      expect(outcome).toMatchObject({
        code: 'provider_failed',
        awsErrorType: 'MissingOutputLocation',
        neverStarted: false,
        isRetryable: false,
        httpStatus: 202,
      });
      expect((outcome as Error).message).toMatch(/answered 202 \(SageMaker queued the job\) with .*S3OutputPath/);
    });
  }

  it('keeps the pool from sending a job SageMaker queued elsewhere', async () => {
    stack.contract.answerNext('InvokeEndpointAsync', { status: 202, body: 'Accepted' });
    const standby = new ScriptedProvider('standby', ['accept'], systemClock);
    const pool = new ProviderPool({
      providers: [
        { provider: stack.async(), priority: 0, models: ['tiny-shapes'] },
        { provider: standby, priority: 1, models: ['tiny-shapes'] },
      ],
      log: () => undefined,
    });
    const submission = await pool.submit(cannedJob('receipts'));
    expect(submission).toMatchObject({ state: 'unknown', handle: { providerId: 'sagemaker-async' } });
    expect(standby.calls).toHaveLength(0);
  });
});
