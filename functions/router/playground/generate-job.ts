import { readServerSentEvents } from '@stipple/jobs';
import { type JobStatus, TERMINAL_STATUSES } from '../src/jobs/job-status.ts';
import type { JobView } from '../src/jobs/public-job-types.ts';
import { api, apiJson } from './api-call.ts';
import { storeKey } from './api-key-store.ts';
import { editFields } from './edit-fields.ts';
import { showJob, showPreviews, showProgress } from './job-display.ts';
import { jobRequest } from './job-form.ts';
import { loadCredits } from './key-data.ts';
import { buttonElement, element, errorMessage, progressElement, showStatus } from './page-elements.ts';
import { loadJobs } from './recent-jobs.ts';

const isTerminal = (event: string) => TERMINAL_STATUSES.includes(event as JobStatus);

/**
 * Submits the form as a job with a preview at every step (its image and mask uploaded first), then follows the job's
 * event stream (`GET /v1/jobs/:id/events`), read with fetch because EventSource cannot send the Authorization header.
 */
export async function generate(submitEvent: SubmitEvent): Promise<void> {
  submitEvent.preventDefault();
  storeKey();
  element('result').hidden = false;
  buttonElement('generate').disabled = true;
  progressElement('progress').dataset.events = '0';
  element('previews').dataset.events = '0';
  element('images').replaceChildren();
  try {
    const request = { ...jobRequest(), ...(await editFields()), preview_every: 1 };
    showStatus('Queued…');
    const job = await apiJson<JobView>('/v1/jobs', { method: 'POST', body: JSON.stringify(request) });
    const events = await api(`/v1/jobs/${job.id}/events`);
    let finished: JobView | undefined;
    for await (const { event, data } of events.body ? readServerSentEvents(events.body) : []) {
      if (event === 'progress') {
        showStatus('Generating…');
        showProgress(JSON.parse(data));
      }
      if (event === 'preview') showPreviews(JSON.parse(data));
      if (isTerminal(event)) finished = JSON.parse(data);
    }
    if (!finished) throw new Error('the event stream ended before the job did; see Recent jobs');
    if (finished.status === 'succeeded') {
      progressElement('progress').value = progressElement('progress').max;
      element('progress-text').textContent = 'done';
    }
    showJob(finished);
  } catch (error) {
    showStatus(errorMessage(error), true);
  } finally {
    buttonElement('generate').disabled = false;
    loadJobs().catch((error) => showStatus(errorMessage(error), true));
    loadCredits();
  }
}
