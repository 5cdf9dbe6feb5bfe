import type { JobPreviewEventData, JobProgressEventData, JobView } from '../src/jobs/public-job-types.ts';
import { element, progressElement, showStatus } from './page-elements.ts';

/** Counts a progress or preview event on its element, for the Chromium test (test/playground) to read. */
function countEvent(target: HTMLElement): void {
  target.dataset.events = String(Number(target.dataset.events || 0) + 1);
}

export function showProgress({ step, total_steps, eta_ms }: JobProgressEventData): void {
  const progress = progressElement('progress');
  element('progress-box').hidden = false;
  progress.max = total_steps;
  progress.value = step;
  countEvent(progress);
  const eta = eta_ms > 0 ? ` · about ${(eta_ms / 1000).toFixed(1)} s left` : '';
  element('progress-text').textContent = `step ${step} / ${total_steps}${eta}`;
}

export function showPreviews(preview: JobPreviewEventData): void {
  countEvent(element('previews'));
  element('previews').replaceChildren(
    ...preview.images.map((source) => Object.assign(document.createElement('img'), { src: source, alt: 'preview' })),
  );
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** A finished job: its images with their seeds, its reproducibility records, or what went wrong. */
export function showJob(job: JobView): void {
  element('result').hidden = false;
  element('previews').replaceChildren();
  const figures = job.outputs.map((output, index) => {
    const figure = document.createElement('figure');
    const caption = document.createElement('figcaption');
    const seed = Object.assign(document.createElement('span'), { textContent: `seed ${output.seed}` });
    if (output.url === null) {
      // Blocked by the content policy: never stored, so there is nothing to show.
      caption.append(seed, Object.assign(document.createElement('span'), { textContent: 'blocked' }));
      figure.append(caption);
      return figure;
    }
    const image = Object.assign(document.createElement('img'), { src: output.url, alt: `image ${index + 1}` });
    const link = Object.assign(document.createElement('a'), { href: output.url, target: '_blank', rel: 'noopener' });
    link.textContent = output.content_filter.flagged ? 'open (flagged)' : 'open';
    caption.append(seed, link);
    figure.append(image, caption);
    return figure;
  });
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = `Reproducibility record${job.records.length === 1 ? '' : 's'} · ${job.id}`;
  const record = document.createElement('pre');
  record.textContent = JSON.stringify(job.records.length === 1 ? job.records[0] : job.records, null, 2);
  details.append(summary, record);
  element('images').replaceChildren(...figures, details);
  if (job.status === 'succeeded') {
    showStatus(`Done: ${plural(job.usage.images, 'image')}, ${plural(job.usage.credits, 'credit')}.`);
  } else {
    showStatus(`The job ended ${job.status}${job.error ? `: ${job.error.message}` : ''}.`, true);
  }
}
