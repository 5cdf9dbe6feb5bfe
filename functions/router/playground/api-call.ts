import { apiKey } from './api-key-store.ts';

/** A call to the API with the form's key; an error answer throws with the API's own message. */
export async function api(path: string, init: RequestInit = {}): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${apiKey()}` };
  if (init.body) headers['content-type'] = 'application/json';
  const response = await fetch(path, { ...init, headers });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    throw new Error(body.error?.message || `the API answered ${response.status}`);
  }
  return response;
}

/** A call's JSON answer, typed as the router declares it. */
export async function apiJson<T>(path: string, init?: RequestInit): Promise<T> {
  return (await (await api(path, init)).json()) as T;
}
