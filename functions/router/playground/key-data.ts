import type { ModelObject } from '../src/openai/model-object.ts';
import { api, apiJson } from './api-call.ts';
import { apiKey } from './api-key-store.ts';
import { element, errorMessage, selectElement, showStatus } from './page-elements.ts';
import { loadJobs } from './recent-jobs.ts';

/** The models /v1/models lists, by id: the size menu offers the sizes the chosen one draws. */
let models = new Map<string, ModelObject>();

/** The sizes the chosen model draws (its own first, so selected), as /v1/models lists them. */
export function showSizes(): void {
  const model = models.get(selectElement('model').value);
  selectElement('size').replaceChildren(...(model ? model.sizes : []).map((size) => new Option(size)));
}

async function loadModels(): Promise<void> {
  const { data } = await apiJson<{ data: ModelObject[] }>('/v1/models');
  models = new Map(data.map((model) => [model.id, model]));
  selectElement('model').replaceChildren(...data.map((model) => new Option(model.id)));
  showSizes();
}

/** The tenant's balance in the header; blank for a caller that may not read it (a client token). */
export async function loadCredits(): Promise<void> {
  const usage = await api('/v1/usage').then(
    (response) => response.json() as Promise<{ credits_remaining: number }>,
    () => null,
  );
  element('credits').textContent = usage ? `${usage.credits_remaining} credits left` : '';
}

/** What the key may see: the models, its recent jobs, its credits. */
export async function loadKeyData(): Promise<void> {
  if (!apiKey()) {
    showStatus('Paste an API key (npm start prints one).');
    return;
  }
  try {
    await Promise.all([loadModels(), loadJobs(), loadCredits()]);
    showStatus('');
  } catch (error) {
    showStatus(errorMessage(error), true);
  }
}
