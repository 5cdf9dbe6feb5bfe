import type { JobRecord } from '../jobs/job-record.ts';

const NOTHING_CHARGED = 'nothing was charged';

/**
 * What a client is told about each way a job can end badly: its stable code and a message written here, never the text
 * a provider, a worker or the store produced (which may name hosts, buckets, ARNs, keys or stack details). The job's
 * own record keeps the full message, and `job_ended` logs it with the job id, for the operator.
 */
const PUBLIC_MESSAGES: Record<string, string> = {
  deadline_exceeded: `the job passed its deadline (timeout_seconds) before its images were written; ${NOTHING_CHARGED}`,
  start_deadline_exceeded: `no GPU started the job before its start deadline; ${NOTHING_CHARGED}`,
  worker_lost: `the GPU running the job stopped answering and no other could finish it in time; ${NOTHING_CHARGED}`,
  providers_misconfigured: `this deployment's GPU providers are misconfigured (the operator's logs say how); ${NOTHING_CHARGED}`,
  no_provider: `no GPU provider here serves the job's model; ${NOTHING_CHARGED}`,
  providers_exhausted: `every GPU provider was busy or out of reach; ${NOTHING_CHARGED}`,
  provider_unreachable: `the GPU provider could not be reached; ${NOTHING_CHARGED}`,
  provider_timeout: `the GPU provider did not answer in time; ${NOTHING_CHARGED}`,
  provider_busy: `the GPU provider was at capacity; ${NOTHING_CHARGED}`,
  provider_unavailable: `the GPU provider could not take the job; ${NOTHING_CHARGED}`,
  provider_unauthorized: `the GPU provider refused this deployment's credentials; ${NOTHING_CHARGED}`,
  provider_failed: `the GPU provider failed to run the job; ${NOTHING_CHARGED}`,
  invalid_job: `the GPU refused the job's parameters; ${NOTHING_CHARGED}`,
  unknown_model: `no GPU serves the job's model; ${NOTHING_CHARGED}`,
  storage_unreachable: `the result store could not be reached to write the images; ${NOTHING_CHARGED}`,
  storage_denied: `the result store refused to take the images; ${NOTHING_CHARGED}`,
  storage_failed: `the images could not be written to the result store; ${NOTHING_CHARGED}`,
  storage_invalid_object: `the result store held something unreadable for this job; ${NOTHING_CHARGED}`,
  storage_metadata_too_large: `the images could not be written to the result store; ${NOTHING_CHARGED}`,
};

/** Any other failure: a code of a part we do not know (a new worker's, `http_502` from a proxy, `internal_error`). */
const UNKNOWN_FAILURE = {
  code: 'generation_failed',
  message: `the job failed while generating its images; ${NOTHING_CHARGED}`,
};

/** A job's error as the API shows it: a stable code and a message that names no internals; null when none. */
export function publicJobError(record: Pick<JobRecord, 'error'>): { code: string; message: string } | null {
  if (!record.error) return null;
  const { code, shown } = record.error;
  if (shown) return { code, message: record.error.message };
  const message = Object.hasOwn(PUBLIC_MESSAGES, code) ? PUBLIC_MESSAGES[code] : undefined;
  return message === undefined ? UNKNOWN_FAILURE : { code, message };
}
