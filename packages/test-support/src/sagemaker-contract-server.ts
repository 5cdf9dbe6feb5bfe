/**
 * A local stand-in for Amazon SageMaker that speaks its documented wire protocol, for the SageMaker providers' tests:
 * SageMaker Runtime's InvokeEndpoint (`POST /endpoints/{name}/invocations`) and InvokeEndpointAsync
 * (`POST /endpoints/{name}/async-invocations`: input from `X-Amzn-SageMaker-InputLocation`, 202 with
 * `X-Amzn-SageMaker-OutputLocation`, answers written to S3), and the control plane's DescribeEndpoint (JSON 1.1,
 * `X-Amz-Target: SageMaker.DescribeEndpoint`). Every request's SigV4 signature is verified with a known secret.
 *
 * Behind each endpoint is a real container URL (a gpu-worker process), invoked as SageMaker invokes containers:
 * `POST /invocations` with the body, `Content-Type`, `Accept` and `X-Amzn-SageMaker-Custom-Attributes`, and no other
 * header: the worker's HMAC signature rides in the custom attributes, where the worker reads it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { CUSTOM_ATTRIBUTES_HEADER } from '@stipple/adapters';
import { AsyncInference } from './sagemaker-async-inference.ts';
import { type CannedAnswer, CannedAnswers } from './sagemaker-canned-answers.ts';
import { ACCOUNT, invokeContainer, sendAwsError, sendModelError } from './sagemaker-wire.ts';
import { verifySigV4 } from './sigv4-verifier.ts';

export interface ContractEndpoint {
  /** The container's base URL. */
  containerUrl: string;
  /** DescribeEndpoint's `EndpointStatus`; default `InService`. */
  status?: string;
  /** `AsyncInferenceConfig.OutputConfig`: where answers and failures go, as `s3://bucket/prefix`. */
  async?: { s3OutputPath: string; s3FailurePath?: string };
}

export interface SageMakerContractOptions {
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  endpoints: Record<string, ContractEndpoint>;
  /** The S3-compatible store SageMaker reads inputs from and writes async answers to. */
  s3: { endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** How long a real-time container may take; SageMaker's is 60 s. */
  realtimeLimitMs?: number;
}

/** One request as received, for tests to inspect. */
export interface RecordedRequest {
  operation: 'InvokeEndpoint' | 'InvokeEndpointAsync' | 'DescribeEndpoint' | 'unknown';
  endpointName?: string;
  headers: IncomingMessage['headers'];
  /** The body as received. */
  body: Buffer;
  /** `valid`, the verifier's reason for refusing it, or `unchecked` while it is being checked. */
  signature: string;
}

export interface SageMakerContractServer {
  url: string;
  requests: RecordedRequest[];
  /** Failures of this server's own async processing (reading inputs, writing answers), for tests to assert none. */
  asyncErrors: Error[];
  endpoints: Record<string, ContractEndpoint>;
  /** Holds queued async requests (an endpoint scaled to zero) until `resumeAsync`. */
  pauseAsync(): void;
  resumeAsync(): void;
  /** Resolves once every accepted async request has been answered. */
  asyncIdle(): Promise<void>;
  /** Answers the next request for `operation` with `answer` (after recording it and checking its signature). */
  answerNext(operation: RecordedRequest['operation'], answer: CannedAnswer): void;
  stop(): Promise<void>;
}

/**
 * The two endpoints the tests use, both in front of one container: `stipple-realtime`, and `stipple-async` writing
 * answers and failures under `s3://{bucket}/sagemaker-outputs` and `…/sagemaker-failures`.
 */
export function stippleEndpoints(containerUrl: string, bucket: string): Record<string, ContractEndpoint> {
  return {
    'stipple-realtime': { containerUrl },
    'stipple-async': {
      containerUrl,
      async: { s3OutputPath: `s3://${bucket}/sagemaker-outputs`, s3FailurePath: `s3://${bucket}/sagemaker-failures` },
    },
  };
}

const REALTIME_LIMIT_MS = 60_000;

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Which operation a request is, by path (SageMaker Runtime) or `X-Amz-Target` (the control plane). */
function operationOf(request: IncomingMessage): { operation: RecordedRequest['operation']; endpointName?: string } {
  const route = /^\/endpoints\/([^/]+)\/(invocations|async-invocations)$/.exec((request.url ?? '/').split('?')[0]);
  if (route) {
    const operation = route[2] === 'invocations' ? 'InvokeEndpoint' : 'InvokeEndpointAsync';
    return { operation, endpointName: decodeURIComponent(route[1]) };
  }
  return {
    operation: request.headers['x-amz-target'] === 'SageMaker.DescribeEndpoint' ? 'DescribeEndpoint' : 'unknown',
  };
}

export async function startSageMakerContractServer(
  options: SageMakerContractOptions,
): Promise<SageMakerContractServer> {
  const requests: RecordedRequest[] = [];
  const { region } = options;
  const s3 = new S3Client({
    endpoint: options.s3.endpoint,
    region,
    forcePathStyle: true,
    credentials: options.s3.credentials,
  });
  const asyncInference = new AsyncInference(s3, options.endpoints);
  const canned = new CannedAnswers();

  async function invokeEndpoint(request: IncomingMessage, response: ServerResponse, name: string, body: Buffer) {
    const { containerUrl } = options.endpoints[name];
    const headers = {
      contentType: request.headers['content-type'],
      accept: request.headers.accept,
      customAttributes: request.headers[CUSTOM_ATTRIBUTES_HEADER] as string | undefined,
    };
    const answer = await invokeContainer(
      containerUrl,
      body,
      headers,
      options.realtimeLimitMs ?? REALTIME_LIMIT_MS,
    ).catch(() => undefined);
    if (!answer) {
      const message = 'Your invocation timed out while waiting for a response from container primary.';
      return sendModelError(response, region, name, 0, message);
    }
    if (answer.status < 200 || answer.status > 299) {
      return sendModelError(response, region, name, answer.status, answer.body.toString());
    }
    response.writeHead(200, { 'content-type': answer.contentType, 'x-amzn-invoked-production-variant': 'AllTraffic' });
    response.end(answer.body);
  }

  function describeEndpoint(response: ServerResponse, body: Buffer) {
    const { EndpointName } = JSON.parse(body.toString() || '{}') as { EndpointName?: string };
    const endpoint = EndpointName ? options.endpoints[EndpointName] : undefined;
    response.writeHead(endpoint ? 200 : 400, { 'content-type': 'application/x-amz-json-1.1' });
    if (!EndpointName || !endpoint) {
      const message = `Could not find endpoint "${EndpointName}".`;
      return response.end(JSON.stringify({ __type: 'ValidationException', message }));
    }
    const now = Date.now() / 1000;
    const arn = `arn:aws:sagemaker:${region}:${ACCOUNT}:endpoint/${EndpointName.toLowerCase()}`;
    const status = endpoint.status ?? 'InService';
    response.end(
      JSON.stringify({
        EndpointName,
        EndpointArn: arn,
        EndpointConfigName: `${EndpointName}-config`,
        EndpointStatus: status,
        CreationTime: now,
        LastModifiedTime: now,
      }),
    );
  }

  /** The SigV4 verdict as SageMaker answers it: 403 with its error types; `true` when the request may go on. */
  function authorized(
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    entry: RecordedRequest,
  ): boolean {
    const verdict = checkSignature(request, body, entry);
    if (verdict.ok) return true;
    if (verdict.reason === 'unknown_key') {
      sendAwsError(response, 403, 'UnrecognizedClientException', {
        message: 'The security token included in the request is invalid.',
      });
      return false;
    }
    const type = verdict.reason === 'missing' ? 'MissingAuthenticationTokenException' : 'InvalidSignatureException';
    const message =
      verdict.reason === 'expired'
        ? `Signature expired: ${verdict.detail}`
        : 'The request signature we calculated does not match the signature you provided.';
    sendAwsError(response, 403, type, { message });
    return false;
  }

  function checkSignature(request: IncomingMessage, body: Buffer, entry: RecordedRequest) {
    const verdict = verifySigV4(
      { method: request.method ?? 'GET', target: request.url ?? '/', headers: request.headers, body },
      {
        secrets: { [options.credentials.accessKeyId]: options.credentials.secretAccessKey },
        region,
        service: 'sagemaker',
        now: Date.now(),
      },
    );
    entry.signature = verdict.ok ? 'valid' : verdict.reason;
    return verdict;
  }

  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    const { operation, endpointName } = operationOf(request);
    const entry: RecordedRequest = { operation, endpointName, headers: request.headers, body, signature: 'unchecked' };
    requests.push(entry);
    const answer = canned.take(operation);
    if (answer) {
      checkSignature(request, body, entry);
      return canned.send(response, answer);
    }
    if (!authorized(request, response, body, entry)) return;
    if (request.method !== 'POST' || operation === 'unknown') {
      return sendAwsError(response, 404, 'UnknownOperationException', {
        message: `${request.method} ${request.url} is not an operation`,
      });
    }
    if (operation === 'DescribeEndpoint') return describeEndpoint(response, body);
    if (!options.endpoints[endpointName!]) {
      return sendAwsError(response, 400, 'ValidationError', {
        message: `Endpoint ${endpointName} of account ${ACCOUNT} not found.`,
      });
    }
    if (operation === 'InvokeEndpoint') return invokeEndpoint(request, response, endpointName!, body);
    return asyncInference.accept(request, response, endpointName!);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    asyncErrors: asyncInference.queue.errors,
    endpoints: options.endpoints,
    pauseAsync: () => asyncInference.queue.pause(),
    resumeAsync: () => asyncInference.queue.resume(),
    asyncIdle: () => asyncInference.queue.idle(),
    answerNext: (operation, answer) => canned.push(operation, answer),
    async stop() {
      asyncInference.queue.clear();
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
      s3.destroy();
    },
  };
}
