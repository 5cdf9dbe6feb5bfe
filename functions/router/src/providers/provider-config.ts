import { type ProviderConfig, providerConfigSchema } from '@stipple/adapters';
import { z } from 'zod';

/**
 * `PROVIDERS` (a JSON list of `@stipple/adapters` `providerConfigSchema` entries) read and validated; a bad entry is
 * named by its index and field.
 */
export function readProviderConfigs(json: string | undefined): ProviderConfig[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json || '[]');
  } catch (error) {
    throw new Error(`PROVIDERS is not JSON (${(error as Error).message}); see docs/router.md, "Configuration"`);
  }
  const result = z.array(providerConfigSchema).safeParse(parsed);
  if (result.success) return result.data;
  const [index, ...field] = result.error.issues[0].path;
  const where = `PROVIDERS${index === undefined ? '' : `[${String(index)}]`}${field.map((part) => `.${String(part)}`).join('')}`;
  throw new Error(`${where}: ${result.error.issues[0].message}; see docs/router.md, "Configuration"`);
}
