import type { z } from 'zod';
import { AdapterValidationError } from '../errors/adapter-error.ts';

/** Parses a provider's settings, naming each bad field. */
export function parseSettings<Schema extends z.ZodType>(
  provider: string,
  schema: Schema,
  input: unknown,
): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new AdapterValidationError(
    'invalid_provider_settings',
    `${provider} provider: ${describeIssues(parsed.error)}`,
  );
}

/** A zod error's problems on one line: `path: message; …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
}
