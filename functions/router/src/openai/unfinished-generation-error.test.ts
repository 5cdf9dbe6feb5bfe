import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../jobs/job-record.ts';
import { unfinishedGenerationError } from './unfinished-generation-error.ts';

const JOB_ID = `job_${'a'.repeat(32)}`;
const record = (fields: Partial<JobRecord>) => ({ id: JOB_ID, status: 'running', ...fields }) as JobRecord;

describe('unfinishedGenerationError', () => {
  it('says a running job is pending, with its id, its Location and no retry for the SDK', () => {
    const error = unfinishedGenerationError(record({ status: 'running' }));
    expect(error.status).toBe(504);
    expect(error.toEnvelope().error).toMatchObject({
      code: 'generation_pending',
      type: 'server_error',
      job_id: JOB_ID,
    });
    expect(error.headers).toEqual({ location: `/v1/jobs/${JOB_ID}`, 'x-should-retry': 'false' });
  });

  it("reports a failed job with the job's own error code and message", () => {
    const error = unfinishedGenerationError(
      record({ status: 'failed', error: { code: 'provider_unavailable', message: 'no GPU took the job' } }),
    );
    expect(error.status).toBe(502);
    expect(error.toEnvelope().error).toEqual({
      code: 'provider_unavailable',
      type: 'server_error',
      param: null,
      message: `job ${JOB_ID} ended failed: no GPU took the job; no credits were charged`,
      job_id: JOB_ID,
    });
  });

  it('names the end state when the job recorded no error', () => {
    expect(unfinishedGenerationError(record({ status: 'canceled' })).code).toBe('job_canceled');
  });
});
