import type { JobView } from '../src/jobs/public-job-types.ts';
import { apiJson } from './api-call.ts';
import { apiKey } from './api-key-store.ts';
import { showJob } from './job-display.ts';
import { element } from './page-elements.ts';

/** One of the key's recent jobs: its first image, prompt, status and time; a click shows the whole job. */
function jobItem(job: JobView): HTMLLIElement {
  const item = document.createElement('li');
  const button = document.createElement('button');
  button.type = 'button';
  const first = job.outputs.find((output) => output.url !== null);
  if (first?.url) button.append(Object.assign(document.createElement('img'), { src: first.url, alt: '' }));
  const label = document.createElement('span');
  const prompt = Object.assign(document.createElement('q'), { textContent: job.input.prompt });
  const when = Object.assign(document.createElement('small'), {
    textContent: `${job.status} · ${new Date(job.created_at).toLocaleString()}`,
  });
  label.append(prompt, when);
  label.title = job.input.prompt;
  button.append(label);
  button.addEventListener('click', () => showJob(job));
  item.append(button);
  return item;
}

/** The key's twelve latest jobs (`GET /v1/jobs`). */
export async function loadJobs(): Promise<void> {
  if (!apiKey()) return;
  const { data } = await apiJson<{ data: JobView[] }>('/v1/jobs?limit=12');
  element('jobs').replaceChildren(...data.map(jobItem));
}
