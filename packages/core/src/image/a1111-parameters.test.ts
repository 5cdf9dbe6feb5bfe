import { describe, expect, it } from 'vitest';
import type { GenerationRecord } from '../pipeline/generation-record.ts';
import { formatA1111Parameters } from './a1111-parameters.ts';

const record = {
  model: { id: 'tiny', family: 'sd1', weightsHash: 'ab'.repeat(32) },
  prompt: 'a (red:1.3) circle',
  negativePrompt: '',
  width: 64,
  height: 48,
  steps: 4,
  guidance: 7.5,
  guidanceRescale: 0,
  clipSkip: 1,
  scheduler: { name: 'euler-ancestral', className: 'EulerAncestralDiscreteScheduler', config: {} },
  seeds: [7],
  onnxRuntimeVersion: '1.30.0',
  executionProviders: ['cpu'],
  safetyChecker: null,
  warnings: [],
  timings: {} as GenerationRecord['timings'],
} satisfies GenerationRecord;

describe('formatA1111Parameters', () => {
  it('writes the prompt as given (emphasis included) and leaves clip skip 1 out, as A1111 does', () => {
    expect(formatA1111Parameters(record, 7)).toBe(
      'a (red:1.3) circle\nSteps: 4, Sampler: Euler a, CFG scale: 7.5, Seed: 7, Size: 64x48, Model hash: abababab' +
        'ab, Model: tiny, Version: Stipple (onnxruntime 1.30.0)',
    );
  });

  it('writes "Clip skip: 2" after the model, as A1111 does', () => {
    const settings = formatA1111Parameters({ ...record, clipSkip: 2 }, 7).split('\n')[1];
    expect(settings).toContain('Model: tiny, Clip skip: 2, Version:');
  });
});
