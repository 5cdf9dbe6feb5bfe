import { ApiError } from '../errors/api-error.ts';
import { publicJobError } from '../errors/public-job-error.ts';
import { type JobRecord, TERMINAL_STATUSES } from '../jobs/job-record.ts';

/**
 * The error for a generation without images: still running when the sync wait ended (504 `generation_pending`), or
 * ended without success (502 with the job's own error code). Both carry `job_id` and `Location`, so the client can
 * fetch the job with `GET /v1/jobs/:id`.
 */
export function unfinishedGenerationError(record: JobRecord): ApiError {
  const location = `/v1/jobs/${record.id}`;
  if (!TERMINAL_STATUSES.includes(record.status)) {
    return new ApiError(
      504,
      'generation_pending',
      `the images are not ready yet (job ${record.id} is ${record.status}); fetch them later with GET ${location}`,
      // The job runs and is charged once: OpenAI's SDKs retry 5xx unless told not to, and a retry would start another.
      { extra: { job_id: record.id }, headers: { location, 'x-should-retry': 'false' } },
    );
  }
  const error = publicJobError(record);
  return new ApiError(
    502,
    error?.code ?? `job_${record.status}`,
    `job ${record.id} ended ${record.status}: ${error?.message ?? 'no images were made; nothing was charged'}`,
    { extra: { job_id: record.id }, headers: { location } },
  );
}
