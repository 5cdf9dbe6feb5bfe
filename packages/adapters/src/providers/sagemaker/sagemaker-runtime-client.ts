import { CUSTOM_ATTRIBUTES_HEADER } from '@stipple/jobs';
import type { z } from 'zod';
import { AwsSigner } from '../../aws/aws-signer.ts';
import type { Clock } from '../../spec/clock.ts';
import { callFailure } from '../../transport/call-failure.ts';
import { SageMakerError, sageMakerError } from './sagemaker-error.ts';
import type { sageMakerSettingsSchema } from './sagemaker-settings.ts';

type SageMakerSettings = z.output<typeof sageMakerSettingsSchema>;

export interface InvokeEndpointInput {
  body: string;
  customAttributes: string;
  /** A production variant to send the request to (`X-Amzn-SageMaker-Target-Variant`). */
  targetVariant?: string;
  signal?: AbortSignal;
}

export interface InvokeEndpointAsyncInput {
  /** `s3://bucket/key` of the staged request body. */
  inputLocation: string;
  customAttributes: string;
  /** Our id for the inference (at most 64 characters); SageMaker makes one when absent. */
  inferenceId?: string;
  /** Seconds the request may wait in SageMaker's queue, 60–21600. */
  requestTtlSeconds?: number;
  /** Seconds the container has to answer, 1–3600. */
  invocationTimeoutSeconds?: number;
  signal?: AbortSignal;
}

export interface AsyncInvocation {
  inferenceId: string;
  /** `s3://…` where SageMaker writes the container's answer. */
  outputLocation: string;
  /** `s3://…` where SageMaker writes a failure, when the endpoint has an `S3FailurePath`. */
  failureLocation?: string;
}

/**
 * The three SageMaker calls the providers make, signed with SigV4 (service `sagemaker`) and sent with the injected
 * fetch: InvokeEndpoint and InvokeEndpointAsync (SageMaker Runtime, REST-JSON) and DescribeEndpoint (the control
 * plane, JSON 1.1).
 */
export class SageMakerRuntimeClient {
  private readonly signer: AwsSigner;
  private readonly runtimeUrl: URL;
  private readonly apiUrl: URL;

  constructor(
    private readonly settings: SageMakerSettings,
    private readonly fetch: typeof globalThis.fetch,
    clock: Clock,
  ) {
    const { region, credentials } = settings;
    this.signer = new AwsSigner({ credentials, region, service: 'sagemaker', now: () => clock.now() });
    this.runtimeUrl = new URL(settings.runtimeUrl ?? `https://runtime.sagemaker.${region}.amazonaws.com`);
    this.apiUrl = new URL(settings.apiUrl ?? `https://api.sagemaker.${region}.amazonaws.com`);
  }

  /** InvokeEndpoint: the container's answer body, once it has answered 2xx. */
  async invokeEndpoint(input: InvokeEndpointInput): Promise<string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      [CUSTOM_ATTRIBUTES_HEADER]: input.customAttributes,
    };
    if (input.targetVariant) headers['x-amzn-sagemaker-target-variant'] = input.targetVariant;
    const what = `InvokeEndpoint ${this.settings.endpointName}`;
    const response = await this.send(
      what,
      this.endpointUrl('invocations'),
      { method: 'POST', headers, body: input.body },
      input.signal,
    );
    if (!response.ok) throw await sageMakerError(this.settings.id, what, response);
    return response.text();
  }

  /** InvokeEndpointAsync: SageMaker queues the request (202) and names where the answer will be written. */
  async invokeEndpointAsync(input: InvokeEndpointAsyncInput): Promise<AsyncInvocation> {
    const headers: Record<string, string> = {
      'x-amzn-sagemaker-content-type': 'application/json',
      'x-amzn-sagemaker-accept': 'application/json',
      'x-amzn-sagemaker-inputlocation': input.inputLocation,
      [CUSTOM_ATTRIBUTES_HEADER]: input.customAttributes,
    };
    if (input.inferenceId) headers['x-amzn-sagemaker-inference-id'] = input.inferenceId;
    if (input.requestTtlSeconds) headers['x-amzn-sagemaker-requestttlseconds'] = String(input.requestTtlSeconds);
    if (input.invocationTimeoutSeconds)
      headers['x-amzn-sagemaker-invocationtimeoutseconds'] = String(input.invocationTimeoutSeconds);
    const what = `InvokeEndpointAsync ${this.settings.endpointName}`;
    const response = await this.send(
      what,
      this.endpointUrl('async-invocations'),
      { method: 'POST', headers, body: '' },
      input.signal,
    );
    if (!response.ok) throw await sageMakerError(this.settings.id, what, response);
    const { InferenceId } = (await response.json()) as { InferenceId: string };
    const outputLocation = response.headers.get('x-amzn-sagemaker-outputlocation');
    if (!outputLocation) {
      throw new SageMakerError({
        providerId: this.settings.id,
        code: 'provider_failed',
        message: `${what} at provider ${this.settings.id} answered ${response.status} without X-Amzn-SageMaker-OutputLocation`,
        isRetryable: false,
        neverStarted: false,
        httpStatus: response.status,
        awsErrorType: 'MissingOutputLocation',
      });
    }
    const failureLocation = response.headers.get('x-amzn-sagemaker-failurelocation') ?? undefined;
    return { inferenceId: InferenceId, outputLocation, failureLocation };
  }

  /** DescribeEndpoint's `EndpointStatus`: `InService` when the endpoint takes requests. */
  async describeEndpointStatus(signal?: AbortSignal): Promise<string> {
    const what = `DescribeEndpoint ${this.settings.endpointName}`;
    const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'SageMaker.DescribeEndpoint' };
    const body = JSON.stringify({ EndpointName: this.settings.endpointName });
    const response = await this.send(what, new URL('/', this.apiUrl), { method: 'POST', headers, body }, signal);
    if (!response.ok) throw await sageMakerError(this.settings.id, what, response);
    return ((await response.json()) as { EndpointStatus: string }).EndpointStatus;
  }

  private endpointUrl(operation: 'invocations' | 'async-invocations'): URL {
    const base = this.runtimeUrl.pathname.replace(/\/$/, '');
    return new URL(`${base}/endpoints/${encodeURIComponent(this.settings.endpointName)}/${operation}`, this.runtimeUrl);
  }

  private async send(
    what: string,
    url: URL,
    init: { method: string; headers: Record<string, string>; body: string },
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    const request = await this.signer.sign(url, init);
    try {
      return await this.fetch(request, { signal });
    } catch (error) {
      throw callFailure(this.settings.id, what, error, signal);
    }
  }
}
