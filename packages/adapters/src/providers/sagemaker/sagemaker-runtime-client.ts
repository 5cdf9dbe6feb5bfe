import { CUSTOM_ATTRIBUTES_HEADER } from '@stipple/jobs';
import type { z } from 'zod';
import { AwsSigner } from '../../aws/aws-signer.ts';
import type { Clock } from '../../spec/clock.ts';
import { callFailure } from '../../transport/call-failure.ts';
import { type AsyncInvocation, readAsyncInvocation } from './async-invocation-receipt.ts';
import { type SageMakerCall, sageMakerError } from './sagemaker-error.ts';
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
    private readonly clock: Clock,
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
    if (!response.ok) throw await sageMakerError(this.call(what, 'rest-json'), response);
    return response.text();
  }

  /**
   * InvokeEndpointAsync: SageMaker queues the request (202) and names where the answer will be written. The input is
   * in S3, so the request has no body; its `Content-Type` is `application/octet-stream`, as the AWS SDK sends for the
   * operation's optional blob payload (`@aws-sdk/client-sagemaker-runtime` 3.1164, `InvokeEndpointAsyncInput.Body`).
   */
  async invokeEndpointAsync(input: InvokeEndpointAsyncInput): Promise<AsyncInvocation> {
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
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
    const url = this.endpointUrl('async-invocations');
    const response = await this.send(what, url, { method: 'POST', headers }, input.signal);
    if (!response.ok) throw await sageMakerError(this.call(what, 'rest-json'), response);
    return readAsyncInvocation(response, { providerId: this.settings.id, what, sentInferenceId: input.inferenceId });
  }

  /** DescribeEndpoint's `EndpointStatus`: `InService` when the endpoint takes requests. */
  async describeEndpointStatus(signal?: AbortSignal): Promise<string> {
    const what = `DescribeEndpoint ${this.settings.endpointName}`;
    const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'SageMaker.DescribeEndpoint' };
    const body = JSON.stringify({ EndpointName: this.settings.endpointName });
    const response = await this.send(what, new URL('/', this.apiUrl), { method: 'POST', headers, body }, signal);
    if (!response.ok) throw await sageMakerError(this.call(what, 'json-1.1'), response);
    return ((await response.json()) as { EndpointStatus: string }).EndpointStatus;
  }

  private call(what: string, protocol: SageMakerCall['protocol']): SageMakerCall {
    return { providerId: this.settings.id, what, protocol, nowMs: this.clock.now() };
  }

  private endpointUrl(operation: 'invocations' | 'async-invocations'): URL {
    const base = this.runtimeUrl.pathname.replace(/\/$/, '');
    return new URL(`${base}/endpoints/${encodeURIComponent(this.settings.endpointName)}/${operation}`, this.runtimeUrl);
  }

  private async send(
    what: string,
    url: URL,
    init: { method: string; headers: Record<string, string>; body?: string },
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
