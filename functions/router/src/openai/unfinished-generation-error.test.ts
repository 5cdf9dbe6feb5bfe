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

  it("reports a failed job with the job's own code and a message that names none of its internals", () => {
    const internal = 'AccessDenied: arn:aws:s3:::acme-private/outputs/t_1/job_1/0.png via 10.0.3.7:9000';
    const error = unfinishedGenerationError(
      record({ status: 'failed', error: { code: 'storage_denied', message: internal } }),
    );
    expect(error.status).toBe(502);
    expect(error.toEnvelope().error).toEqual({
      code: 'storage_denied',
      type: 'server_error',
      param: null,
      message: `job ${JOB_ID} ended failed: the result store refused to take the images; nothing was charged`,
      job_id: JOB_ID,
    });
  });

  it('reports a failure of a kind it does not know as generation_failed', () => {
    const error = unfinishedGenerationError(
      record({ status: 'failed', error: { code: 'http_502', message: '<html>nginx/1.25 upstream 10.0.0.9</html>' } }),
    );
    expect(error.code).toBe('generation_failed');
    expect(error.message).toBe(
      `job ${JOB_ID} ended failed: the job failed while generating its images; nothing was charged`,
    );
  });

  it('names the end state when the job recorded no error', () => {
    expect(unfinishedGenerationError(record({ status: 'canceled' })).code).toBe('job_canceled');
  });
});
