import type { z } from 'zod';
import { AdapterValidationError } from '../errors/adapter-error.ts';
import type { ProviderOptions, ProviderWarning } from './image-provider-v1.ts';

/**
 * Reads a provider's own options from a call's `providerOptions[provider]`: values are checked against the provider's
 * schema (a bad one throws, naming the field and what is allowed); keys the provider does not know are ignored with a
 * warning, as vercel/ai providers do for settings they do not support.
 */
export function readProviderOptions<Schema extends z.ZodObject>(
  provider: string,
  schema: Schema,
  providerOptions: ProviderOptions | undefined,
): { options: z.output<Schema>; warnings: ProviderWarning[] } {
  const given = providerOptions?.[provider] ?? {};
  const known = new Set(Object.keys(schema.shape));
  const warnings: ProviderWarning[] = Object.keys(given)
    .filter((key) => !known.has(key))
    .map((key) => ({
      type: 'unsupported-option',
      message: `providerOptions.${provider}.${key} is not an option of ${provider}; ignored (known: ${[...known].join(', ') || 'none'})`,
    }));
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(given).filter(([key]) => known.has(key))));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => issue.message).join('; ');
    throw new AdapterValidationError('invalid_provider_options', `providerOptions.${provider}: ${problems}`, {
      provider,
    });
  }
  return { options: parsed.data, warnings };
}
