import { encodePreviewPng, type GenerationProgress } from '@stipple/core';

/** What the worker reports after a denoising step, over Server-Sent Events and progress callbacks alike. */
export interface ProgressEvent {
  step: number;
  totalSteps: number;
  elapsedMs: number;
  /** A linear estimate of the time left. */
  etaMs: number;
  /** On preview steps: each image's latent-resolution approximation as a PNG data URL. */
  preview?: { width: number; height: number; images: string[] };
}

export function progressEvent({ step, totalSteps, elapsedMs, preview }: GenerationProgress): ProgressEvent {
  return {
    step,
    totalSteps,
    elapsedMs: Math.round(elapsedMs),
    etaMs: Math.round((elapsedMs / step) * (totalSteps - step)),
    ...(preview && {
      preview: {
        width: preview.width,
        height: preview.height,
        images: preview.images.map(
          (rgb) => `data:image/png;base64,${encodePreviewPng(rgb, preview.width, preview.height).toString('base64')}`,
        ),
      },
    }),
  };
}
