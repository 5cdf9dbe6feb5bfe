/**
 * SageMaker asynchronous inference for the contract server (SageMaker Developer Guide, "Asynchronous inference"):
 * InvokeEndpointAsync reads the input's location and SageMaker's limits from headers, queues the request, answers 202
 * with the output (and failure) location, and later POSTs the staged input to the container, writing its answer to the
 * output location, or a failure to the failure location when the endpoint has one.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CUSTOM_ATTRIBUTES_HEADER, parseS3Uri } from '@stipple/adapters';
import type { ContractEndpoint } from './sagemaker-contract-server.ts';
import { ACCOUNT, invokeContainer, sendAwsError } from './sagemaker-wire.ts';
import { SerialQueue } from './serial-queue.ts';

/** InvokeEndpointAsync's `InvocationTimeoutSeconds` default. */
const ASYNC_INVOCATION_TIMEOUT_SECONDS = 900;

/** InvokeEndpointAsync's header checks, with SageMaker's ranges; the first problem, or undefined. */
function asyncRequestProblem(headers: Record<string, string | undefined>): string | undefined {
  const ttl = headers['x-amzn-sagemaker-requestttlseconds'];
  const timeout = headers['x-amzn-sagemaker-invocationtimeoutseconds'];
  const inferenceId = headers['x-amzn-sagemaker-inference-id'];
  if (!headers['x-amzn-sagemaker-inputlocation']?.startsWith('s3://')) {
    return "1 validation error detected: Value at 'inputLocation' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(https|s3)://([^/]+)/?(.*)$";
  }
  if (ttl !== undefined && !(Number(ttl) >= 60 && Number(ttl) <= 21_600)) {
    return `RequestTTLSeconds ${ttl} must be between 60 and 21600.`;
  }
  if (timeout !== undefined && !(Number(timeout) >= 1 && Number(timeout) <= 3_600)) {
    return `InvocationTimeoutSeconds ${timeout} must be between 1 and 3600.`;
  }
  if (inferenceId !== undefined && inferenceId.length > 64) return 'InferenceId must be at most 64 characters.';
  return undefined;
}

export class AsyncInference {
  /** The endpoint's queue, one request at a time. */
  readonly queue = new SerialQueue();

  constructor(
    private readonly s3: S3Client,
    private readonly endpoints: Record<string, ContractEndpoint>,
  ) {}

  /** Reads the staged input, invokes the container, writes its answer to the output (or failure) location. */
  private async run(
    containerUrl: string,
    headers: Record<string, string | undefined>,
    output: string,
    failure?: string,
  ) {
    const input = parseS3Uri(headers['x-amzn-sagemaker-inputlocation']!);
    const object = await this.s3.send(new GetObjectCommand({ Bucket: input.bucket, Key: input.key }));
    const body = Buffer.from(await object.Body!.transformToByteArray());
    const limitMs =
      Number(headers['x-amzn-sagemaker-invocationtimeoutseconds'] ?? ASYNC_INVOCATION_TIMEOUT_SECONDS) * 1000;
    const containerHeaders = {
      contentType: headers['x-amzn-sagemaker-content-type'],
      accept: headers['x-amzn-sagemaker-accept'],
      customAttributes: headers[CUSTOM_ATTRIBUTES_HEADER],
    };
    const answer = await invokeContainer(containerUrl, body, containerHeaders, limitMs).catch((error: Error) => ({
      status: 0,
      contentType: 'text/plain',
      body: Buffer.from(error.message),
    }));
    const target = answer.status >= 200 && answer.status < 300 ? output : failure;
    if (!target) return;
    const location = parseS3Uri(target);
    const put = { Bucket: location.bucket, Key: location.key, Body: answer.body, ContentType: answer.contentType };
    await this.s3.send(new PutObjectCommand(put));
  }

  /** Checks an InvokeEndpointAsync request, queues it, and answers 202 with where the answer will be. */
  accept(request: IncomingMessage, response: ServerResponse, name: string): void {
    const endpoint = this.endpoints[name];
    const headers = request.headers as Record<string, string | undefined>;
    const problem = endpoint.async
      ? asyncRequestProblem(headers)
      : `Endpoint ${name} of account ${ACCOUNT} is not an asynchronous inference endpoint.`;
    if (problem || !endpoint.async) {
      sendAwsError(response, 400, 'ValidationError', { message: problem });
      return;
    }
    const inferenceId = headers['x-amzn-sagemaker-inference-id'] ?? randomUUID();
    const { s3OutputPath, s3FailurePath } = endpoint.async;
    const output = `${s3OutputPath.replace(/\/$/, '')}/${inferenceId}.out`;
    const failure = s3FailurePath && `${s3FailurePath.replace(/\/$/, '')}/${inferenceId}-error.out`;
    this.queue.push(() => this.run(endpoint.containerUrl, headers, output, failure));
    const answerHeaders: Record<string, string> = {
      'content-type': 'application/json',
      'x-amzn-sagemaker-outputlocation': output,
    };
    if (failure) answerHeaders['x-amzn-sagemaker-failurelocation'] = failure;
    response.writeHead(202, answerHeaders);
    response.end(JSON.stringify({ InferenceId: inferenceId }));
  }
}
