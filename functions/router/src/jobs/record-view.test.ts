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
  timings: {
    tokenizeMs: 1,
    textEncoderMs: 2,
    unetMs: 3,
    schedulerMs: 4,
    vaeDecoderMs: 5,
    totalMs: 15,
    sessionRunMs: 9,
  },
};

describe('recordView', () => {
  it('spells every key snake_case and keeps every value', () => {
    expect(recordView(record)).toEqual({
      model: { id: 'tiny-shapes', family: 'sd1', weights_hash: 'ab'.repeat(32) },
      prompt: 'a red circle',
      negative_prompt: '',
      width: 64,
      height: 64,
      steps: 20,
      guidance: 5,
      guidance_rescale: 0,
      scheduler: {
        name: 'dpmpp-2m',
        class_name: 'DPMSolverMultistepScheduler',
        config: { _class_name: 'DPMSolverMultistepScheduler', beta_schedule: 'scaled_linear', trained_betas: null },
      },
      seeds: [7, 8],
      onnx_runtime_version: '1.22.0',
      execution_providers: ['cpu'],
      warnings: ['the prompt was truncated to 77 tokens'],
      timings: {
        tokenize_ms: 1,
        text_encoder_ms: 2,
        unet_ms: 3,
        scheduler_ms: 4,
        vae_decoder_ms: 5,
        total_ms: 15,
        session_run_ms: 9,
      },
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
