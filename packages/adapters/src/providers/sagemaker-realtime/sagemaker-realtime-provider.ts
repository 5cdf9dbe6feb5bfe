import type { Job, ResultManifest } from '@stipple/jobs';
import type { z } from 'zod';
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
import { timeLimit } from '../../transport/time-limit.ts';
import { signedAttributes } from '../sagemaker/job-signature.ts';
import { type SageMakerDependencies, SageMakerProviderBase } from '../sagemaker/sagemaker-provider-base.ts';
import {
  REALTIME_LIMIT_SECONDS,
  sageMakerRealtimeCallOptionsSchema,
  sageMakerRealtimeSettingsSchema,
} from './sagemaker-realtime-options.ts';

export type SageMakerRealtimeProviderOptions = z.input<typeof sageMakerRealtimeSettingsSchema> & SageMakerDependencies;

/** Our own limit is SageMaker's plus this margin, for a connection that hangs past SageMaker's answer. */
const LIMIT_MARGIN_MS = 5_000;

/**
 * Our gpu-worker behind a SageMaker real-time endpoint (InvokeEndpoint). The job runs within the call, so `submit`
 * answers `succeeded` with the manifest written, or throws; SageMaker cannot cancel an invocation.
 */
export class SageMakerRealtimeProvider
  extends SageMakerProviderBase<z.output<typeof sageMakerRealtimeSettingsSchema>>
  implements ImageProviderV1
{
  declare readonly provider: 'sagemaker-realtime';
  protected readonly mode = { sync: true, async: false, maxJobSeconds: REALTIME_LIMIT_SECONDS };
  protected readonly cannotCancel =
    `SageMaker real-time inference cannot cancel an invocation; it ends within ${REALTIME_LIMIT_SECONDS} s`;

  constructor(options: SageMakerRealtimeProviderOptions) {
    super('sagemaker-realtime', sageMakerRealtimeSettingsSchema, options);
  }

  async submit({ job, abortSignal, providerOptions }: SubmitOptions): Promise<SubmitResult> {
    const { options, warnings } = readProviderOptions(
      this.provider,
      sageMakerRealtimeCallOptionsSchema,
      providerOptions,
    );
    if (abortSignal?.aborted) throw abortedBeforeSending(this.id, `submitting job ${job.jobId}`, abortSignal);
    const body = JSON.stringify(job);
    const customAttributes = await signedAttributes(body, this.settings.workerSecret, this.clock);
    const limit = timeLimit(
      this.clock,
      REALTIME_LIMIT_SECONDS * 1000 + LIMIT_MARGIN_MS,
      () => new Error(`no answer within SageMaker's ${REALTIME_LIMIT_SECONDS} s real-time limit`),
      abortSignal,
    );
    try {
      const answer = await this.client.invokeEndpoint({ ...options, body, customAttributes, signal: limit.signal });
      const handle = jobHandle(this.id, job);
      parseManifest(handle.manifest, this.parseAnswer(job, answer));
      return { handle, state: 'succeeded', warnings };
    } finally {
      limit.clear();
    }
  }

  async status({ handle, abortSignal }: HandleCallOptions): Promise<JobStatus> {
    const manifest = await this.storage.readManifest(handle.manifest, { abortSignal });
    return { state: manifest ? 'succeeded' : 'unknown' };
  }

  result({ handle, abortSignal }: HandleCallOptions): Promise<ResultManifest | undefined> {
    return this.storage.readManifest(handle.manifest, { abortSignal });
  }

  private parseAnswer(job: Job, answer: string): unknown {
    try {
      return JSON.parse(answer);
    } catch (error) {
      throw new ProviderError({
        providerId: this.id,
        code: 'provider_failed',
        message: `InvokeEndpoint for job ${job.jobId} at provider ${this.id} answered with a body that is not JSON`,
        retryable: false,
        neverStarted: false,
        cause: error,
      });
    }
  }
}
