import { describe, expect, it } from 'vitest';
import { readableLogLine } from './log-line.ts';

describe('readableLogLine', () => {
  it('turns JSON log entries into event and key=value, naming levels other than info', () => {
    expect(readableLogLine('{"level":"info","event":"job_started","jobId":"job_1","prompt":"a red circle"}')).toBe(
      'job_started jobId=job_1 prompt="a red circle"',
    );
    expect(readableLogLine('{"level":"warn","event":"retry","attempts":2,"ids":["a"]}')).toBe(
      'WARN retry attempts=2 ids=["a"]',
    );
  });

  it('keeps any other line as it is, without trailing space', () => {
    expect(readableLogLine('{not json')).toBe('{not json');
    expect(readableLogLine('plain text  ')).toBe('plain text');
  });
});
