import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError } from '../errors/api-error.ts';
import { validationMessage } from './validation-message.ts';

/** Reads a JSON body and validates it; the first problem becomes a 400 naming the field (`param`) and the fix. */
export async function parseBody<Schema extends z.ZodType>(c: Context, schema: Schema): Promise<z.output<Schema>> {
  let body: unknown;
  try {
    const text = await c.req.text();
    body = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_json', 'the request body is not valid JSON');
  }
  return validateBody(schema, body);
}

/** Validates a request body already read (JSON, a form); the first problem becomes a 400 naming the field. */
export function validateBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  // reportInput: the issues carry the value sent, which the message names.
  const result = schema.safeParse(body, { reportInput: true });
  if (result.success) return result.data;
  const { param, message } = validationMessage(schema, result.error.issues[0]);
  throw new ApiError(400, 'invalid_request', message, { param });
}
