import type { ContentFilter, ImageSafetyMode, Job } from '@stipple/jobs';

/**
 * The job's image-safety mode. A job without one (from a router older than issue 19) is `flag`: checked and reported,
 * every image stored, so nothing is lost and the report is there for whoever reads the manifest.
 */
export function imageSafetyMode(job: Pick<Job, 'safety'>): ImageSafetyMode {
  return job.safety?.images ?? 'flag';
}

/**
 * Under `block` a flagged image is not stored (never written to S3) and is listed in the manifest's `blocked` instead.
 * An image no checker looked at (`checked: false`: the model has none) is never blocked, only reported as unchecked.
 */
export function isBlocked(mode: ImageSafetyMode, contentFilter: ContentFilter): boolean {
  return mode === 'block' && contentFilter.checked && contentFilter.flagged;
}
