import { describe, expect, it } from 'vitest';
import { recordView, valuesUsed } from './record-view.ts';

/** An engine record as the gpu-worker writes it into the result manifest (packages/core's GenerationRecord). */
const record = {
  model: { id: 'tiny-shapes', family: 'sd1', weightsHash: 'ab'.repeat(32) },
  prompt: 'a red circle',
  negativePrompt: '',
  width: 64,
  height: 64,
  steps: 20,
  guidance: 5,
  guidanceRescale: 0,
  scheduler: {
    name: 'dpmpp-2m',
    className: 'DPMSolverMultistepScheduler',
    config: { _class_name: 'DPMSolverMultistepScheduler', beta_schedule: 'scaled_linear', trained_betas: null },
  },
  seeds: [7, 8],
  onnxRuntimeVersion: '1.22.0',
  executionProviders: ['cpu'],
  warnings: ['the prompt was truncated to 77 tokens'],
  timings: { textEncoderMs: 2, vaeDecoderMs: 5, totalMs: 15 },
};

describe('recordView', () => {
  it('spells every key snake_case and keeps every value', () => {
    const { model, negativePrompt, guidanceRescale, scheduler, onnxRuntimeVersion, executionProviders, ...rest } =
      record;
    const { timings, ...unchanged } = rest;
    expect(recordView(record)).toEqual({
      ...unchanged,
      model: { id: model.id, family: model.family, weights_hash: model.weightsHash },
      negative_prompt: negativePrompt,
      guidance_rescale: guidanceRescale,
      // diffusers' config is snake_case already and comes through as it is.
      scheduler: { name: scheduler.name, class_name: scheduler.className, config: scheduler.config },
      onnx_runtime_version: onnxRuntimeVersion,
      execution_providers: executionProviders,
      timings: { text_encoder_ms: 2, vae_decoder_ms: 5, total_ms: 15 },
    });
  });
});

describe('valuesUsed', () => {
  it('reads the size, steps, guidance, scheduler and first seed the GPU used', () => {
    expect(valuesUsed(record)).toEqual({
      width: 64,
      height: 64,
      steps: 20,
      guidance: 5,
      scheduler: 'dpmpp-2m',
      seed: 7,
    });
  });

  it.each([
    ['no record', undefined],
    ['a record without a scheduler', { ...record, scheduler: undefined }],
    ['a record without seeds', { ...record, seeds: [] }],
  ])('is undefined for %s', (_, value) => {
    expect(valuesUsed(value)).toBeUndefined();
  });
});
