import { describe, expect, it } from 'vitest';
import type { JobRecord } from './job-record.ts';
import {
  awaitingStart,
  DEADLINE_GRACE_MS,
  FIRST_CHECK_AFTER_MS,
  MAX_CHECK_INTERVAL_MS,
  nextAlarmAt,
  startDeadline,
} from './job-timing.ts';

const NOW = Date.parse('2026-12-03T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function record(overrides: Partial<JobRecord>, deadline = NOW + 600_000): JobRecord {
  return { status: 'running', createdAt: iso(NOW), job: { deadline: iso(deadline) }, ...overrides } as JobRecord;
}

describe('job timing', () => {
  it('asks the provider 5 s after the last event, then doubles the wait while nothing changes, up to a minute', () => {
    const heard = { lastHeardAt: iso(NOW), startedAt: iso(NOW) };
    expect(nextAlarmAt(record(heard), NOW)).toBe(NOW + FIRST_CHECK_AFTER_MS);
    expect(nextAlarmAt(record({ ...heard, quietChecks: 2 }), NOW)).toBe(NOW + 4 * FIRST_CHECK_AFTER_MS);
    expect(nextAlarmAt(record({ ...heard, quietChecks: 20 }), NOW)).toBe(NOW + MAX_CHECK_INTERVAL_MS);
  });

  it('wakes at the total deadline (plus grace) or the start deadline when they come first', () => {
    const heard = { lastHeardAt: iso(NOW), startedAt: iso(NOW), quietChecks: 20 };
    expect(nextAlarmAt(record(heard, NOW + 1_000), NOW)).toBe(NOW + 1_000 + DEADLINE_GRACE_MS);
    const waiting = record({
      status: 'queued',
      lastHeardAt: iso(NOW),
      quietChecks: 20,
      startDeadline: iso(NOW + 2_000),
    });
    expect(nextAlarmAt(waiting, NOW)).toBe(NOW + 2_000);
  });

  it('waits for a job placed again to start by its replacement deadline, though it started once before', () => {
    const placedAgain = record({
      status: 'queued',
      startedAt: iso(NOW - 9_000),
      placeBy: iso(NOW + 60_000),
      lastHeardAt: iso(NOW),
      quietChecks: 20,
    });
    expect(awaitingStart(placedAgain)).toBe(true);
    expect(nextAlarmAt(placedAgain, NOW)).toBe(NOW + 60_000);
    expect(awaitingStart({ ...placedAgain, placeBy: undefined })).toBe(false);
  });

  it('takes a replacement deadline over the start and total deadlines', () => {
    const placed = record({ placeBy: iso(NOW + 60_000), startDeadline: iso(NOW + 5_000) });
    expect(startDeadline(placed)).toBe(NOW + 60_000);
    expect(startDeadline(record({}, NOW + 9_000))).toBe(NOW + 9_000);
  });
});
