import type { EdgeStorage } from '@stipple/adapters';
import { publicJobError } from '../errors/public-job-error.ts';
import type { JobRecord } from './job-record.ts';
import type { JobView } from './public-job-types.ts';

/**
 * A job as the API shows it. Output URLs are presigned afresh on every read, so an expired one is simply minted again
 * by the next GET; they expire after the job's `url_ttl_seconds`.
 */
export async function jobView(record: JobRecord, storage: EdgeStorage): Promise<JobView> {
  const { job, manifest } = record;
  const expiresAt = new Date(Date.now() + record.urlTtlSeconds * 1000).toISOString();
  const outputs = manifest
    ? await Promise.all(
        manifest.outputs.map(async (output) => ({
          url: await storage.presignGet(
            { bucket: job.output.bucket, key: output.key },
            { expiresInSeconds: record.urlTtlSeconds },
          ),
          expires_at: expiresAt,
          seed: output.seed,
          content_type: output.contentType,
          bytes: output.bytes,
        })),
      )
    : [];
  return {
    id: record.id,
    object: 'job',
    status: record.status,
    model: job.modelId,
    input: {
      prompt: job.parameters.prompt,
      negative_prompt: job.parameters.negativePrompt ?? null,
      width: job.parameters.width,
      height: job.parameters.height,
      steps: job.parameters.steps,
      guidance: job.parameters.guidance ?? null,
      scheduler: job.parameters.scheduler ?? null,
      seed: job.parameters.seed ?? null,
      n: job.parameters.n,
      output_format: job.output.format,
    },
    end_user: record.endUser ?? null,
    created_at: record.createdAt,
    started_at: record.startedAt ?? null,
    completed_at: record.completedAt ?? null,
    progress: record.progress
      ? { step: record.progress.step, total_steps: record.progress.totalSteps, eta_ms: record.progress.etaMs }
      : null,
    outputs,
    records: manifest?.records ?? [],
    usage: { images: record.usage.images, megapixel_steps: record.usage.megapixelSteps, credits: record.usage.credits },
    error: publicJobError(record),
  };
}
