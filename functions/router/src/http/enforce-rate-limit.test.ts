import { describe, expect, it } from 'vitest';
import { formatResetDuration } from './enforce-rate-limit.ts';

describe('formatResetDuration', () => {
  it("writes durations as OpenAI's headers do (Go's time.Duration format)", () => {
    expect(formatResetDuration(0)).toBe('0s');
    expect(formatResetDuration(17)).toBe('17ms');
    expect(formatResetDuration(16.2)).toBe('17ms');
    expect(formatResetDuration(1_000)).toBe('1s');
    expect(formatResetDuration(1_500)).toBe('1.5s');
    expect(formatResetDuration(59_999)).toBe('59.999s');
    expect(formatResetDuration(360_000)).toBe('6m0s');
    expect(formatResetDuration(90_250)).toBe('1m30.25s');
    expect(formatResetDuration(3_600_000)).toBe('1h0m0s');
  });
});
