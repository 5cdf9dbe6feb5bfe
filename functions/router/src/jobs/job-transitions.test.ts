import type { ResultManifest } from '@stipple/jobs';
import { describe, expect, it } from 'vitest';
import type { JobRecord } from './job-record.ts';
import { applyJobEvent, applyProviderStatus } from './job-transitions.ts';

const NOW = Date.parse('2026-12-03T10:00:00Z');
const base = { jobId: 'job_1', tenantId: 't_1' };

function record(overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    id: 'job_1',
    tenantId: 't_1',
    status: 'queued',
    usage: { images: 1, megapixelSteps: 1, credits: 1 },
    urlTtlSeconds: 3600,
    createdAt: '2026-12-03T09:59:00Z',
    job: {
      jobId: 'job_1',
      tenantId: 't_1',
      modelId: 'tiny-shapes',
      parameters: { prompt: 'a cat', width: 64, height: 64, steps: 4, n: 1 },
      output: { bucket: 'b', keyPrefix: 'outputs', format: 'png' },
    },
    handle: { providerId: 'local', jobId: 'job_1', tenantId: 't_1', manifest: { bucket: 'b', key: 'k' } },
    ...overrides,
  } as JobRecord;
}

describe('applyJobEvent', () => {
  it('makes a job running only when its GPU reports that it began, keeping the first start', () => {
    const started = applyJobEvent(record(), { ...base, status: 'started' }, NOW);
    expect(started).toMatchObject({
      kind: 'update',
      record: { status: 'running', startedAt: new Date(NOW).toISOString() },
    });
    const placedAgain = record({ startedAt: '2026-12-03T09:59:30Z', placeBy: '2026-12-03T10:01:00Z' });
    const again = applyJobEvent(placedAgain, { ...base, status: 'started' }, NOW);
    // Taken again by a GPU: the replacement deadline no longer applies.
    expect(again.kind === 'update' && again.record.placeBy).toBeUndefined();
    expect(again).toMatchObject({
      record: { startedAt: '2026-12-03T09:59:30Z', lastHeardAt: new Date(NOW).toISOString() },
    });
  });

  it('records a step with when the GPU reported it, and its preview', () => {
    const preview = { width: 8, height: 8, images: ['data:image/png;base64,AA'] };
    const event = {
      ...base,
      status: 'running',
      step: 2,
      totalSteps: 4,
      elapsedMs: 10,
      etaMs: 10,
      emittedAt: NOW - 3,
      preview,
    } as const;
    const transition = applyJobEvent(record({ quietChecks: 3 }), event, NOW);
    expect(transition).toMatchObject({
      kind: 'update',
      record: {
        status: 'running',
        progress: { step: 2, totalSteps: 4, etaMs: 10, reportedAt: NOW - 3 },
        quietChecks: 0,
      },
    });
    expect(transition.kind === 'update' && transition.record.preview).toEqual({ step: 2, ...preview });
  });

  it('makes a progress webhook due at most every 500 ms', () => {
    const step = (n: number) =>
      ({ ...base, status: 'running', step: n, totalSteps: 9, elapsedMs: 1, etaMs: 1 }) as const;
    const first = applyJobEvent(record(), step(1), NOW);
    expect(first.kind === 'update' && first.record.progressAnnouncedAt).toBe(NOW);
    const soon = applyJobEvent(record({ progressAnnouncedAt: NOW }), step(2), NOW + 499);
    expect(soon.kind === 'update' && soon.record.progressAnnouncedAt).toBe(NOW);
    const later = applyJobEvent(record({ progressAnnouncedAt: NOW }), step(3), NOW + 500);
    expect(later.kind === 'update' && later.record.progressAnnouncedAt).toBe(NOW + 500);
  });

  it('settles a success with the manifest the worker wrote', () => {
    const manifest = { jobId: 'job_1' } as ResultManifest;
    const event = { ...base, status: 'succeeded', manifestKey: 'k', manifest } as const;
    expect(applyJobEvent(record(), event, NOW)).toEqual({ kind: 'settle', status: 'succeeded', manifest });
  });

  it.each([
    ['canceled', false, { kind: 'settle', status: 'canceled' }],
    ['deadline_exceeded', false, { kind: 'settle', status: 'timed_out' }],
    ['worker_shutting_down', true, { kind: 'place-again' }],
    ['storage_unreachable', false, { kind: 'settle', status: 'failed' }],
  ])('turns a failure %s into %o', (code, retryable, expected) => {
    const event = { ...base, status: 'failed', code, message: 'm', retryable } as const;
    expect(applyJobEvent(record(), event, NOW)).toMatchObject(expected);
  });
});

describe('applyProviderStatus', () => {
  it('counts a quiet answer, so the next question waits longer', () => {
    expect(applyProviderStatus(record({ quietChecks: 1 }), { state: 'queued' }, NOW)).toMatchObject({
      kind: 'update',
      record: { status: 'queued', quietChecks: 2 },
    });
  });

  it('places a job again when its provider no longer holds it and it left no result', () => {
    expect(applyProviderStatus(record({ status: 'running' }), { state: 'unknown' }, NOW)).toMatchObject({
      kind: 'place-again',
    });
  });

  it('fetches the result of a job its provider says succeeded, and ends a failed one with its code', () => {
    expect(applyProviderStatus(record(), { state: 'succeeded' }, NOW)).toEqual({ kind: 'fetch-result' });
    const failure = { code: 'model_file_corrupt', message: 'bad', isRetryable: false };
    expect(applyProviderStatus(record(), { state: 'failed', failure }, NOW)).toEqual({
      kind: 'settle',
      status: 'failed',
      error: { code: 'model_file_corrupt', message: 'bad' },
    });
  });
});
