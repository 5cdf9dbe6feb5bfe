import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError } from '../errors/api-error.ts';

/** Reads a JSON body and validates it; the first problem becomes a 400 naming the field (`param`) and the fix. */
export async function parseBody<Schema extends z.ZodType>(c: Context, schema: Schema): Promise<z.output<Schema>> {
  let body: unknown;
  try {
    const text = await c.req.text();
    body = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_json', 'the request body is not valid JSON');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  const param = issue.path.map(String).join('.') || null;
  const message = issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : issue.message;
  const named = param !== null && message.startsWith(`${param.split('.').at(-1)} `);
  throw new ApiError(400, 'invalid_request', param && !named ? `${param}: ${message}` : message, {
    param,
  });
}
