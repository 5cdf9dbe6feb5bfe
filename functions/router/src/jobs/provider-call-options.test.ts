import { describe, expect, it } from 'vitest';
import type { JobRecord } from './job-record.ts';
import { providerCallOptions } from './provider-call-options.ts';

const NOW = Date.parse('2026-12-03T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('providerCallOptions', () => {
  it("turns the job's start and total deadlines into SageMaker's queue TTL and invocation timeout", () => {
    const record = { startDeadline: iso(NOW + 300_000), job: { deadline: iso(NOW + 600_500) } } as JobRecord;
    expect(providerCallOptions(record, NOW)).toEqual({
      'sagemaker-async': { requestTtlSeconds: 300, invocationTimeoutSeconds: 601 },
    });
  });

  it("keeps them within SageMaker's ranges", () => {
    const record = { startDeadline: iso(NOW + 5_000), job: { deadline: iso(NOW + 30 * 3600_000) } } as JobRecord;
    expect(providerCallOptions(record, NOW)).toEqual({
      'sagemaker-async': { requestTtlSeconds: 60, invocationTimeoutSeconds: 3600 },
    });
  });
});
