import { exports } from 'cloudflare:workers';
import OpenAI, { type ClientOptions } from 'openai';
import { expect } from 'vitest';

const BASE_URL = 'https://api.stipple.test/v1';

/** Into the router under test, in the same workerd as the test. */
const routerFetch: NonNullable<ClientOptions['fetch']> = (url, init) =>
  (exports as { default: Fetcher }).default.fetch(url, init);

/** The official SDK, unchanged but for its base URL and a fetch that reaches the router under test. */
export function openai(apiKey: string, fetch = routerFetch): OpenAI {
  return new OpenAI({ apiKey, baseURL: BASE_URL, fetch });
}

/** The error a promise rejects with, checked to be one of the SDK's API errors. */
export async function rejection(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}
