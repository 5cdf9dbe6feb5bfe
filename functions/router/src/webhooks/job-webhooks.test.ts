import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../jobs/job-record.ts';
import { jobWebhookEvents } from './job-webhooks.ts';

const queued = { id: 'job_1', status: 'queued' } as JobRecord;
const started = { ...queued, status: 'running', startedAt: '2026-01-01T00:00:00Z' } as JobRecord;
const atStep = (step: number, announcedAt?: number): JobRecord => ({
  ...started,
  progress: { step, totalSteps: 10, etaMs: 0 },
  ...(announcedAt !== undefined && { progressAnnouncedAt: announcedAt }),
});

describe('jobWebhookEvents', () => {
  it('names started, progress and completed once each as the record changes', () => {
    expect(jobWebhookEvents(queued, started)).toEqual(['started']);
    expect(jobWebhookEvents(queued, atStep(1, 1_000))).toEqual(['started', 'progress']);
    expect(jobWebhookEvents(atStep(1, 1_000), atStep(2, 1_600))).toEqual(['progress']);
    // A step whose announcement is not due yet (throttled) makes no event.
    expect(jobWebhookEvents(atStep(2, 1_600), atStep(3, 1_600))).toEqual([]);
    expect(
      jobWebhookEvents(atStep(2), { ...atStep(2), preview: { step: 2, width: 1, height: 1, images: [] } }),
    ).toEqual([]);
    expect(jobWebhookEvents(atStep(2), { ...started, status: 'succeeded' })).toEqual(['completed']);
    expect(jobWebhookEvents(queued, { ...queued, status: 'canceled' })).toEqual(['completed']);
    expect(jobWebhookEvents({ ...queued, status: 'failed' }, { ...queued, status: 'failed' })).toEqual([]);
  });
});
