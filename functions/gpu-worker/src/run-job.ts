import { embeddedRecord, encodeImage, type GenerationProgress, type GenerationResult } from '@stipple/core';
import { contentTypeFor, type Job, MAX_SEED, manifestKey, type ResultManifest, resultKey } from '@stipple/jobs';
import type { GenerationBatcher } from './generation-batcher.ts';
import { imageSafetyMode, isBlocked } from './image-safety-mode.ts';
import { readInputImages } from './input-images.ts';
import type { ModelRegistry } from './model-registry.ts';
import type { ResultStore } from './result-store.ts';

export interface RunJobDependencies {
  registry: ModelRegistry;
  store: ResultStore;
  /** Where generation happens: in a batch with compatible jobs. */
  batcher: GenerationBatcher;
  signal?: AbortSignal;
  onProgress?: (progress: GenerationProgress) => void;
}

/**
 * A job without a seed still needs the same seed on every retry, or a retry after a crash between two uploads would
 * pair old images with new records: derive it from the job id (FNV-1a, 32 bits).
 */
export function seedForJob(job: Job): number {
  if (job.parameters.seed !== undefined) return job.parameters.seed;
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(`${job.tenantId}/${job.jobId}`)) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return hash % (MAX_SEED + 1);
}

/**
 * Runs one job to its durable end: every image is written (once: a retry never overwrites), then the result manifest,
 * last, so the manifest's presence means the job is complete. A job whose manifest already exists is answered from it
 * without generating anything. The model's safety checker runs unless the job's `safety.images` is `off`; under
 * `block` a flagged image is left out (listed in `blocked`), and a job whose every image is blocked still succeeds,
 * with no outputs.
 */
export async function runJob(job: Job, deps: RunJobDependencies): Promise<ResultManifest> {
  const started = performance.now();
  const { bucket, format } = job.output;
  const manifestLocation = { bucket, key: manifestKey(job) };
  const finished = await deps.store.getJson(manifestLocation);
  if (finished !== undefined) return finished as ResultManifest;

  // Input images are read (and checked) before the model is leased, so a bad one fails without holding it.
  const inputs = await readInputImages(job, deps.store);
  const { image: _image, mask: _mask, ...parameters } = job.parameters;
  const safetyMode = imageSafetyMode(job);
  const lease = await deps.registry.acquire(job.modelId);
  let generated: GenerationResult;
  try {
    generated = await deps.batcher.generate(
      lease.model,
      { ...parameters, ...inputs, seed: seedForJob(job) },
      {
        signal: deps.signal,
        onProgress: deps.onProgress,
        previewEvery: job.previewEvery,
        jobId: job.jobId,
        safetyCheck: safetyMode !== 'off',
      },
    );
  } finally {
    lease.release();
  }
  const { images, record } = generated;
  const outputs: ResultManifest['outputs'] = [];
  const blocked: NonNullable<ResultManifest['blocked']> = [];
  for (const [index, image] of images.entries()) {
    deps.signal?.throwIfAborted();
    const { contentFilter, seed } = image;
    if (isBlocked(safetyMode, contentFilter)) {
      blocked.push({ index, seed, contentFilter });
      continue;
    }
    const body = await encodeImage(image, record, { format });
    const key = resultKey(job, index);
    const contentType = contentTypeFor(format);
    await deps.store.putOnce({
      bucket,
      key,
      body,
      contentType,
      metadata: { 'job-id': job.jobId, seed: String(image.seed), record: embeddedRecord(record, image.seed) },
    });
    outputs.push({ key, contentType, seed, bytes: body.length, contentFilter });
  }
  const manifest: ResultManifest = {
    jobId: job.jobId,
    tenantId: job.tenantId,
    modelId: job.modelId,
    status: 'succeeded',
    outputs,
    ...(safetyMode === 'block' && { blocked }),
    records: [record],
    timings: { queuedMs: 0, totalMs: performance.now() - started },
    createdAt: new Date().toISOString(),
  };
  deps.signal?.throwIfAborted();
  await deps.store.putOnce({
    bucket,
    key: manifestLocation.key,
    body: new TextEncoder().encode(JSON.stringify(manifest)),
    contentType: 'application/json',
    metadata: { 'job-id': job.jobId },
  });
  return manifest;
}
