import { type ProviderErrorCode, ProviderPool, SageMakerError, systemClock } from '@stipple/adapters';
import { awsErrorAnswer, type CannedAnswer } from '@stipple/test-support/sagemaker-canned-answers';
import {
  cannedJob,
  type SageMakerTestStack,
  startSageMakerTestStack,
} from '@stipple/test-support/sagemaker-test-stack';
import { ScriptedProvider } from '@stipple/test-support/scripted-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REGION = 'eu-west-1';

let stack: SageMakerTestStack;

beforeAll(async () => {
  stack = await startSageMakerTestStack();
});
afterAll(() => stack?.stop());

const job = () => cannedJob('errors');

interface Case {
  /** The operations that document the error (common errors: both). */
  operations: ('InvokeEndpoint' | 'InvokeEndpointAsync')[];
  answer: CannedAnswer;
  awsErrorType: string;
  code: ProviderErrorCode;
  neverStarted: boolean;
  isRetryable: boolean;
  /** What the message must tell the operator. */
  advice: RegExp;
}

const both: Case['operations'] = ['InvokeEndpoint', 'InvokeEndpointAsync'];
const realtimeOnly: Case['operations'] = ['InvokeEndpoint'];
const modelError = (status: number, original: string) =>
  awsErrorAnswer(
    424,
    'ModelError',
    {
      ErrorCode: status >= 500 || status === 0 ? 'SERVER_ERROR_FROM_MODEL' : 'CLIENT_ERROR_FROM_MODEL',
      LogStreamArn: `arn:aws:logs:${REGION}:123456789012:log-group:/aws/sagemaker/Endpoints/stipple-realtime`,
      Message: `Received error (${status}) from primary with message "${original}".`,
      OriginalMessage: original,
      OriginalStatusCode: status,
    },
    'com.amazon.sagemaker',
  );

/**
 * Each documented error as SageMaker sends it (SageMaker Runtime API Reference, InvokeEndpoint and InvokeEndpointAsync
 * "Errors", and "Common Errors"), with what it must mean: the AWS SDK's retry verdict, and whether the job provably
 * never started.
 */
const CASES: Record<string, Case> = {
  'ExpiredTokenException (403)': {
    operations: both,
    answer: awsErrorAnswer(403, 'ExpiredTokenException', {
      message: 'The security token included in the request is expired',
    }),
    awsErrorType: 'ExpiredTokenException',
    code: 'provider_unauthorized',
    neverStarted: true,
    isRetryable: false,
    advice: /refresh the provider’s AWS credentials/,
  },
  'ExpiredTokenException named only by __type': {
    operations: both,
    answer: {
      status: 403,
      headers: { 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({
        __type: 'com.amazon.coral.service#ExpiredTokenException',
        message: 'The security token included in the request is expired',
      }),
    },
    awsErrorType: 'ExpiredTokenException',
    code: 'provider_unauthorized',
    neverStarted: true,
    isRetryable: false,
    advice: /refresh the provider’s AWS credentials/,
  },
  'IncompleteSignatureException (403)': {
    operations: both,
    answer: awsErrorAnswer(403, 'IncompleteSignatureException', {
      message: "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256",
    }),
    awsErrorType: 'IncompleteSignatureException',
    code: 'provider_unauthorized',
    neverStarted: true,
    isRetryable: false,
    advice: /accessKeyId and secretAccessKey are set/,
  },
  'MissingAuthenticationTokenException (403)': {
    operations: both,
    answer: awsErrorAnswer(403, 'MissingAuthenticationTokenException', { message: 'Missing Authentication Token' }),
    awsErrorType: 'MissingAuthenticationTokenException',
    code: 'provider_unauthorized',
    neverStarted: true,
    isRetryable: false,
    advice: /runtimeUrl\/apiUrl/,
  },
  'UnrecognizedClientException (403)': {
    operations: both,
    answer: awsErrorAnswer(403, 'UnrecognizedClientException', {
      message: 'The security token included in the request is invalid.',
    }),
    awsErrorType: 'UnrecognizedClientException',
    code: 'provider_unauthorized',
    neverStarted: true,
    isRetryable: false,
    advice: /check credentials\.accessKeyId/,
  },
  'InvalidSignatureException (403)': {
    operations: both,
    answer: awsErrorAnswer(403, 'InvalidSignatureException', {
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    }),
    awsErrorType: 'InvalidSignatureException',
    code: 'provider_unauthorized',
    neverStarted: true,
    isRetryable: false,
    advice: /check credentials\.secretAccessKey/,
  },
  'InvalidSignatureException, signature expired (403)': {
    operations: both,
    answer: awsErrorAnswer(403, 'InvalidSignatureException', {
      message: 'Signature expired: 20300101T000000Z is now earlier than 20300101T000900Z (20300101T001400Z - 5 min.)',
    }),
    awsErrorType: 'InvalidSignatureException',
    code: 'provider_unauthorized',
    neverStarted: true,
    isRetryable: true,
    advice: /check this host’s clock/,
  },
  'AccessDeniedException (403)': {
    operations: both,
    answer: awsErrorAnswer(403, 'AccessDeniedException', {
      Message:
        'User: arn:aws:iam::123456789012:user/stipple is not authorized to perform: sagemaker:InvokeEndpoint on resource: arn:aws:sagemaker:eu-west-1:123456789012:endpoint/stipple-realtime because no identity-based policy allows the sagemaker:InvokeEndpoint action',
    }),
    awsErrorType: 'AccessDeniedException',
    code: 'provider_unauthorized',
    neverStarted: true,
    isRetryable: false,
    advice: /grant the credentials’ IAM identity sagemaker:InvokeEndpoint/,
  },
  'ValidationError (400)': {
    operations: both,
    answer: awsErrorAnswer(
      400,
      'ValidationError',
      { message: 'Endpoint stipple-realtime of account 123456789012 not found.' },
      'com.amazon.sagemaker',
    ),
    awsErrorType: 'ValidationError',
    code: 'provider_unavailable',
    neverStarted: true,
    isRetryable: false,
    advice: /check endpointName and region/,
  },
  'ThrottlingException (400)': {
    operations: both,
    answer: awsErrorAnswer(400, 'ThrottlingException', { message: 'Rate exceeded' }, 'com.amazon.coral.availability'),
    awsErrorType: 'ThrottlingException',
    code: 'provider_busy',
    neverStarted: true,
    isRetryable: true,
    advice: /retry with backoff/,
  },
  'ServiceUnavailable (503)': {
    operations: both,
    answer: awsErrorAnswer(503, 'ServiceUnavailable', { Message: 'Service Unavailable' }, 'com.amazon.sagemaker'),
    awsErrorType: 'ServiceUnavailable',
    code: 'provider_unavailable',
    neverStarted: true,
    isRetryable: true,
    advice: /retry later/,
  },
  'InternalFailure (500)': {
    operations: both,
    answer: awsErrorAnswer(
      500,
      'InternalFailure',
      { Message: 'An internal failure occurred.' },
      'com.amazon.sagemaker',
    ),
    awsErrorType: 'InternalFailure',
    code: 'provider_failed',
    neverStarted: false,
    isRetryable: true,
    advice: /the job may have started/,
  },
  'RequestTimeoutException (408)': {
    operations: both,
    answer: awsErrorAnswer(408, 'RequestTimeoutException', { message: 'Timed out reading the request.' }),
    awsErrorType: 'RequestTimeoutException',
    code: 'provider_unavailable',
    neverStarted: true,
    isRetryable: true,
    advice: /did not receive the whole request/,
  },
  'InternalDependencyException (530)': {
    operations: realtimeOnly,
    answer: awsErrorAnswer(
      530,
      'InternalDependencyException',
      { Message: 'Your request caused an exception with an internal dependency. Contact customer support.' },
      'com.amazon.sagemaker',
    ),
    awsErrorType: 'InternalDependencyException',
    code: 'provider_failed',
    neverStarted: false,
    isRetryable: false,
    advice: /contact AWS Support/,
  },
  'ModelNotReadyException (429)': {
    operations: realtimeOnly,
    answer: awsErrorAnswer(
      429,
      'ModelNotReadyException',
      { Message: 'Model stipple is not ready yet; it is still being loaded.' },
      'com.amazon.sagemaker',
    ),
    awsErrorType: 'ModelNotReadyException',
    code: 'provider_unavailable',
    neverStarted: true,
    isRetryable: true,
    advice: /still loading/,
  },
  'ModelError carrying the worker’s refusal (busy)': {
    operations: realtimeOnly,
    answer: modelError(429, JSON.stringify({ error: { code: 'busy', message: 'all 1 slots are taken' } })),
    awsErrorType: 'ModelError',
    code: 'provider_busy',
    neverStarted: true,
    isRetryable: true,
    advice: /the worker refused the job before starting it/,
  },
  'ModelError after the container timed out': {
    operations: realtimeOnly,
    answer: modelError(0, 'Your invocation timed out while waiting for a response from container primary.'),
    awsErrorType: 'ModelError',
    code: 'provider_failed',
    neverStarted: false,
    isRetryable: false,
    advice: /the job may have started.*log-group/,
  },
  'a 503 page from in front of SageMaker, with no error type': {
    operations: both,
    answer: { status: 503, headers: { 'content-type': 'text/html' }, body: '<html><body>503</body></html>' },
    awsErrorType: 'HTTP503',
    code: 'provider_failed',
    neverStarted: false,
    isRetryable: true,
    advice: /an error this adapter does not know/,
  },
};

describe('SageMaker errors', () => {
  for (const [name, expected] of Object.entries(CASES)) {
    for (const operation of expected.operations) {
      it(`classify ${name} from ${operation}`, async () => {
        stack.contract.answerNext(operation, expected.answer);
        const provider = operation === 'InvokeEndpoint' ? stack.realtime() : stack.async();
        const error = await provider.submit({ job: job() }).catch((caught: unknown) => caught);
        expect(stack.contract.requests.at(-1)).toMatchObject({ operation, signature: 'valid' });
        expect(error).toBeInstanceOf(SageMakerError);
        const { advice, awsErrorType, code, neverStarted, isRetryable } = expected;
        expect(error).toMatchObject({
          awsErrorType,
          code,
          neverStarted,
          isRetryable,
          httpStatus: expected.answer.status,
        });
        expect((error as Error).message).toContain(`failed: ${awsErrorType} (HTTP ${expected.answer.status})`);
        expect((error as Error).message).toMatch(advice);
      });
    }
  }

  it('carry Retry-After from a throttling answer', async () => {
    const answer = awsErrorAnswer(400, 'ThrottlingException', { message: 'Rate exceeded' });
    stack.contract.answerNext('InvokeEndpoint', { ...answer, headers: { ...answer.headers, 'retry-after': '7' } });
    const error = await stack
      .realtime()
      .submit({ job: job() })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'provider_busy', retryAfterMs: 7000 });
  });

  it('let the pool fail over from expired credentials, so the job runs elsewhere', async () => {
    stack.contract.answerNext('InvokeEndpoint', CASES['ExpiredTokenException (403)'].answer);
    const standby = new ScriptedProvider('standby', ['accept'], systemClock);
    const pool = new ProviderPool({
      providers: [
        { provider: stack.realtime(), priority: 0, models: ['tiny-shapes'] },
        { provider: standby, priority: 1, models: ['tiny-shapes'] },
      ],
      log: () => undefined,
    });
    const submission = await pool.submit(job());
    expect(submission).toMatchObject({ state: 'queued', handle: { providerId: 'standby' } });
    expect(standby.calls).toHaveLength(1);
  });
});
