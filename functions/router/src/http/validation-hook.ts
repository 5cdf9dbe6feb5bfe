import { z } from 'zod';
import { ApiError } from '../errors/api-error.ts';
import { validationMessage } from './validation-message.ts';

/** The value at `path` in what was validated: zod-openapi parses without `reportInput`, and the message names it. */
function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const key of path) value = typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
  return value;
}

/**
 * zod-openapi's `defaultHook` (app.ts): a route's declared path, query or header schema that rejects a request
 * answers as `parseBody` does, 400 `invalid_request` naming the field and the value. JSON bodies never reach it:
 * `parseBody` validates them (openapi/operation-parts.ts `jsonBody`).
 */
export function rejectInvalidRequest(
  result: { success: true } | { success: false; error: z.ZodError; data?: unknown },
) {
  if (result.success) return;
  const [issue] = result.error.issues;
  // The hook is not told the schema, so bounds come from the issue alone.
  const sent = { ...issue, input: valueAt(result.data, issue.path) } as z.core.$ZodIssue;
  const { param, message } = validationMessage(z.unknown(), sent);
  throw new ApiError(400, 'invalid_request', message, { param });
}
