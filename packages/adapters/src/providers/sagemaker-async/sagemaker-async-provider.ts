import { type Job, type ResultManifest, StorageError } from '@stipple/jobs';
import type { z } from 'zod';
import { formatS3Uri, parseS3Uri, type S3Location } from '../../aws/s3-location.ts';
import { ProviderError } from '../../errors/provider-error.ts';
import type {
  HandleCallOptions,
  ImageProviderV1,
  JobStatus,
  SubmitOptions,
  SubmitResult,
} from '../../spec/image-provider-v1.ts';
import { jobHandle } from '../../spec/job-handle.ts';
import { readProviderOptions } from '../../spec/provider-options.ts';
import { parseManifest } from '../../storage/edge-storage.ts';
import { abortedBeforeSending } from '../../transport/call-failure.ts';
import { signedAttributes } from '../sagemaker/job-signature.ts';
import { type SageMakerDependencies, SageMakerProviderBase } from '../sagemaker/sagemaker-provider-base.ts';
import { jobFailure, readWorkerError } from '../worker-protocol/worker-error.ts';
import { sageMakerAsyncCallOptionsSchema, sageMakerAsyncSettingsSchema } from './sagemaker-async-options.ts';

export type SageMakerAsyncProviderOptions = z.input<typeof sageMakerAsyncSettingsSchema> & SageMakerDependencies;

/** SageMaker's limit on `InferenceId` (SageMaker Runtime API Reference, InvokeEndpointAsync). */
const MAX_INFERENCE_ID_CHARACTERS = 64;

/**
 * Our gpu-worker behind a SageMaker asynchronous endpoint (InvokeEndpointAsync): the job is staged as JSON in S3,
 * SageMaker queues it (202), and an endpoint scaled to zero may take minutes to start it. SageMaker says nothing
 * until the container answers, so the job stays `queued` until the result manifest (or SageMaker's output or
 * failure object) appears; SageMaker has no way to cancel a queued request.
 */
export class SageMakerAsyncProvider
  extends SageMakerProviderBase<z.output<typeof sageMakerAsyncSettingsSchema>>
  implements ImageProviderV1
{
  declare readonly provider: 'sagemaker-async';
  protected readonly mode = { sync: false, async: true };
  protected readonly cannotCancel =
    'SageMaker asynchronous inference cannot cancel a request; the job runs when its turn comes';

  constructor(options: SageMakerAsyncProviderOptions) {
    super('sagemaker-async', sageMakerAsyncSettingsSchema, options);
  }

  async submit({ job, abortSignal, providerOptions }: SubmitOptions): Promise<SubmitResult> {
    const { options, warnings } = readProviderOptions(this.provider, sageMakerAsyncCallOptionsSchema, providerOptions);
    const what = `submitting job ${job.jobId}`;
    if (abortSignal?.aborted) throw abortedBeforeSending(this.id, what, abortSignal);
    const body = JSON.stringify(job);
    const input = this.inputLocation(job);
    await this.stage(job, input, body, abortSignal);
    const invocation = await this.client.invokeEndpointAsync({
      ...options,
      inputLocation: formatS3Uri(input),
      customAttributes: await signedAttributes(body, this.settings.workerSecret, this.clock),
      inferenceId: job.jobId.length <= MAX_INFERENCE_ID_CHARACTERS ? job.jobId : undefined,
      signal: abortSignal,
    });
    const providerData: Record<string, string> = {
      inputLocation: formatS3Uri(input),
      outputLocation: invocation.outputLocation,
    };
    if (invocation.inferenceId) providerData.inferenceId = invocation.inferenceId;
    if (invocation.failureLocation) providerData.failureLocation = invocation.failureLocation;
    return { handle: { ...jobHandle(this.id, job), providerData }, state: 'queued', warnings };
  }

  async status({ handle, abortSignal }: HandleCallOptions): Promise<JobStatus> {
    if (await this.result({ handle, abortSignal })) return { state: 'succeeded' };
    const { failureLocation, outputLocation } = handle.providerData ?? {};
    if (failureLocation) {
      const failure = await this.storage.getText(parseS3Uri(failureLocation), { abortSignal });
      if (failure !== undefined) return { state: 'failed', failure: jobFailure(readWorkerError(failure, 0)) };
    }
    // Without SageMaker's receipt, whether it ever queued the job is not known.
    return { state: outputLocation ? 'queued' : 'unknown' };
  }

  /** The manifest the worker wrote, else the container's answer that SageMaker wrote to the output location. */
  async result({ handle, abortSignal }: HandleCallOptions): Promise<ResultManifest | undefined> {
    const manifest = await this.storage.readManifest(handle.manifest, { abortSignal });
    const outputLocation = handle.providerData?.outputLocation;
    if (manifest || !outputLocation) return manifest;
    const location = parseS3Uri(outputLocation);
    return parseManifest(location, await this.storage.getJson(location, { abortSignal }));
  }

  private inputLocation(job: Job): S3Location {
    const { bucket = job.output.bucket, keyPrefix } = this.settings.input;
    return { bucket, key: `${keyPrefix.replace(/\/$/, '')}/${job.tenantId}/${job.jobId}.json` };
  }

  /** Writes the job where SageMaker will read it; a failure here is before SageMaker has heard of the job. */
  private async stage(job: Job, input: S3Location, body: string, signal: AbortSignal | undefined): Promise<void> {
    try {
      await this.storage.putObject(input, body, 'application/json', { abortSignal: signal });
    } catch (error) {
      const storageError = error instanceof StorageError ? error : undefined;
      throw new ProviderError({
        providerId: this.id,
        code: signal?.aborted ? 'call_aborted' : 'provider_unavailable',
        message: `staging job ${job.jobId} at ${formatS3Uri(input)} for provider ${this.id} failed: ${(error as Error).message}`,
        retryable: storageError?.isRetryable ?? true,
        neverStarted: true,
        cause: error,
      });
    }
  }
}
