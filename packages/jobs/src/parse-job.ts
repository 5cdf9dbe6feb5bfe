import type { z } from 'zod';
import { describeValue } from './field-rules.ts';
import { type Job, jobSchema } from './job-schema.ts';

/** A problem with one field; `path` is dotted (`parameters.width`), empty for the job itself. */
export interface FieldError {
  path: string;
  message: string;
}

export type ParseJobResult = { ok: true; job: Job } | { ok: false; errors: FieldError[] };

/** Messages for issues the schemas leave to zod: missing fields, wrong types, unknown fields. */
const fallbackMessage: z.core.$ZodErrorMap = (issue) => {
  const field = issue.path?.join('.') || 'job';
  if (issue.code === 'invalid_type') {
    return issue.input === undefined
      ? `${field} is required`
      : `${field} ${describeValue(issue.input)} is not a${issue.expected === 'object' ? 'n' : ''} ${issue.expected}`;
  }
  return undefined;
};

/** Validates a request body as a job, returning every problem at once as field-level errors. */
export function parseJob(body: unknown): ParseJobResult {
  const result = jobSchema.safeParse(body, { error: fallbackMessage });
  if (result.success) return { ok: true, job: result.data };
  const errors = result.error.issues.flatMap((issue): FieldError[] => {
    const path = issue.path.map(String).join('.');
    if (issue.code !== 'unrecognized_keys') return [{ path, message: issue.message }];
    // One error per unknown key, at the key's own path, so clients can highlight each field.
    return issue.keys.map((key) => {
      const keyPath = path ? `${path}.${key}` : key;
      return { path: keyPath, message: `${keyPath} is not a known field` };
    });
  });
  return { ok: false, errors };
}
