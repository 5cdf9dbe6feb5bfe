import type { EdgeStorage } from '@stipple/adapters';
import type { InputImage, ResultManifest } from '@stipple/jobs';
import { publicJobError } from '../errors/public-job-error.ts';
import { uploadIdOfKey } from '../inputs/input-location.ts';
import { imageFilterView, promptFilterView } from '../safety/content-filter-view.ts';
import type { JobRecord } from './job-record.ts';
import type { JobView, JobViewInputImage, JobViewOutput } from './public-job-types.ts';
import { recordView, valuesUsed } from './record-view.ts';

/** An input image as the API names it: the upload it is (never its key) and its digest. */
function inputImageView(image: InputImage | undefined): JobViewInputImage | null {
  return image ? { upload_id: uploadIdOfKey(image.key), sha256: image.sha256 } : null;
}

/**
 * The values a job runs with: what was asked, with the catalogue's size and steps for the model where it was not.
 * Once the GPU has run it, every value as its record says it was used (the model's guidance and scheduler, the seed it
 * drew); until then what only the model decides is `null`.
 */
function inputView({ job, manifest }: JobRecord) {
  const { parameters } = job;
  const used = valuesUsed(manifest?.records[0]);
  return {
    prompt: parameters.prompt,
    negative_prompt: parameters.negativePrompt ?? null,
    width: used?.width ?? parameters.width,
    height: used?.height ?? parameters.height,
    steps: used?.steps ?? parameters.steps,
    guidance: used?.guidance ?? parameters.guidance ?? null,
    scheduler: used?.scheduler ?? parameters.scheduler ?? null,
    seed: used?.seed ?? parameters.seed ?? null,
    n: parameters.n,
    output_format: job.output.format,
    image: inputImageView(parameters.image),
    mask: inputImageView(parameters.mask),
    strength: parameters.strength ?? null,
    mask_blur: parameters.maskBlur ?? null,
    preserve_unmasked: parameters.preserveUnmasked ?? null,
  };
}

/**
 * Every image of a manifest in the request's order: the stored ones (`outputs`, in order) and the blocked ones
 * (`blocked`, by `index`), which fill the gaps the stored ones leave (result-manifest-schema.ts).
 */
function imagesInOrder(manifest: ResultManifest) {
  const blocked = new Map((manifest.blocked ?? []).map((image) => [image.index, image]));
  const stored = manifest.outputs[Symbol.iterator]();
  const total = manifest.outputs.length + blocked.size;
  return Array.from({ length: total }, (_, index) => {
    const image = blocked.get(index);
    return image ? { index, blocked: image } : { index, stored: stored.next().value! };
  });
}

/**
 * A job as the API shows it. Output URLs are presigned afresh on every read, so an expired one is simply minted again
 * by the next GET; they expire after the job's `url_ttl_seconds`. Blocked images are listed in their place, marked and
 * without URL.
 */
export async function jobView(record: JobRecord, storage: EdgeStorage): Promise<JobView> {
  const { job, manifest } = record;
  const expiresAt = new Date(Date.now() + record.urlTtlSeconds * 1000).toISOString();
  const outputs: JobViewOutput[] = manifest
    ? await Promise.all(
        imagesInOrder(manifest).map(async ({ index, stored, blocked }) =>
          stored
            ? {
                index,
                url: await storage.presignGet(
                  { bucket: job.output.bucket, key: stored.key },
                  { expiresInSeconds: record.urlTtlSeconds },
                ),
                expires_at: expiresAt,
                seed: stored.seed,
                content_type: stored.contentType,
                bytes: stored.bytes,
                content_filter: imageFilterView(stored.contentFilter, false),
              }
            : {
                index,
                url: null,
                expires_at: null,
                seed: blocked!.seed,
                content_type: null,
                bytes: null,
                content_filter: imageFilterView(blocked!.contentFilter, true),
              },
        ),
      )
    : [];
  return {
    id: record.id,
    object: 'job',
    status: record.status,
    model: job.modelId,
    input: inputView(record),
    end_user: record.endUser ?? null,
    created_at: record.createdAt,
    started_at: record.startedAt ?? null,
    completed_at: record.completedAt ?? null,
    progress: record.progress
      ? { step: record.progress.step, total_steps: record.progress.totalSteps, eta_ms: record.progress.etaMs }
      : null,
    prompt_filter: promptFilterView(record.promptFilter),
    outputs,
    records: (manifest?.records ?? []).map(recordView),
    usage: { images: record.usage.images, megapixel_steps: record.usage.megapixelSteps, credits: record.usage.credits },
    error: publicJobError(record),
  };
}
