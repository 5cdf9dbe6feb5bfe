import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError } from '../errors/api-error.ts';
import { validateBody } from './parse-body.ts';

/**
 * Reads a multipart/form-data body into an object (text fields as strings, files as `File`s) and validates it like a
 * JSON body. A list field (`image[]`, as OpenAI's SDKs send lists) is read under its plain name and may hold one
 * value; any field sent twice is refused rather than one of its values silently dropped.
 */
export async function parseForm<Schema extends z.ZodType>(c: Context, schema: Schema): Promise<z.output<Schema>> {
  if (!/^multipart\/form-data\b/i.test(c.req.header('content-type') ?? '')) {
    throw new ApiError(
      400,
      'invalid_request',
      'the request body is not multipart/form-data; send the fields and files as a form',
    );
  }
  let form: FormData;
  try {
    form = await c.req.formData();
  } catch {
    throw new ApiError(400, 'invalid_request', 'the request body is not a readable multipart/form-data body');
  }
  const body: Record<string, string | File> = {};
  for (const [sent, value] of form.entries()) {
    const name = sent.endsWith('[]') ? sent.slice(0, -2) : sent;
    if (Object.hasOwn(body, name)) {
      throw new ApiError(400, 'invalid_request', `${name} was sent more than once; send one ${name}`, { param: name });
    }
    body[name] = value;
  }
  return validateBody(schema, body);
}
