import { z } from 'zod';
import { validationMessage } from '../http/validation-message.ts';
import { IMAGE_SIDES, jobRequestSchema, MAX_IMAGES_PER_JOB } from '../jobs/job-request-schema.ts';

const job = jobRequestSchema.shape;

/** A field of OpenAI's that Stipple accepts with the values OpenAI documents and then ignores (docs/router.md). */
function ignoredField<const Values extends readonly [string, ...string[]]>(name: string, values: Values) {
  return z
    .enum(values, {
      error: (issue) => `${name} ${JSON.stringify(issue.input)} is not supported; use ${values.join(', ')}`,
    })
    .optional()
    .meta({ description: `OpenAI's; accepted (${values.join(', ')}) and ignored.` });
}

/** `size` "WIDTHxHEIGHT" into pixels, each side checked by the jobs API's own width and height rules. */
const imageSize = z.string().transform((size, context) => {
  const match = /^(\d{1,5})x(\d{1,5})$/.exec(size);
  if (!match) {
    context.addIssue({
      code: 'custom',
      message: `size ${JSON.stringify(size)} is not WIDTHxHEIGHT; use e.g. 512x512, each side ${IMAGE_SIDES}`,
    });
    return z.NEVER;
  }
  const width = job.width.safeParse(Number(match[1]), { reportInput: true });
  const height = job.height.safeParse(Number(match[2]), { reportInput: true });
  for (const [name, side] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (side.success) continue;
    const { message } = validationMessage(z.object({ [name]: job[name] }), { ...side.error.issues[0], path: [name] });
    context.addIssue({ code: 'custom', message: `size "${size}": ${message}` });
  }
  return width.success && height.success ? { width: width.data!, height: height.data! } : z.NEVER;
});

/** The fields of `POST /v1/images/generations`; the edit and variation forms take some of them (image-form-schemas.ts). */
export const imageGenerationFields = z.strictObject({
  model: job.model,
  prompt: job.prompt,
  // OpenAI allows 10; a Stipple job makes at most MAX_IMAGES_PER_JOB.
  n: z
    .int({ error: (issue) => `n ${JSON.stringify(issue.input)} is not a whole number; use 1–${MAX_IMAGES_PER_JOB}` })
    .min(1, { error: (issue) => `n ${issue.input} is too few; use 1–${MAX_IMAGES_PER_JOB}` })
    .max(MAX_IMAGES_PER_JOB, { error: (issue) => `n ${issue.input} is too many; use 1–${MAX_IMAGES_PER_JOB}` })
    .default(1)
    .meta({ description: `Number of images, 1–${MAX_IMAGES_PER_JOB}.` }),
  size: imageSize.optional().meta({
    description: `WIDTHxHEIGHT, each side ${IMAGE_SIDES}; default the model's size.`,
    example: '512x512',
  }),
  response_format: z
    .enum(['url', 'b64_json'], {
      error: (issue) => `response_format ${JSON.stringify(issue.input)} is not supported; use url or b64_json`,
    })
    .default('url')
    .meta({ description: 'Presigned URLs valid for 60 minutes, or the images themselves in base64.' }),
  user: z
    .string()
    .max(256, { error: 'user must be at most 256 characters' })
    .optional()
    .meta({ description: "Your end-user's id (OpenAI's); accepted, neither stored nor logged." }),
  output_format: job.output_format,
  stream: z
    .literal(false, {
      error: (issue) => `stream ${JSON.stringify(issue.input)} is not supported; use false or leave it out`,
    })
    .optional()
    .meta({ description: 'Only false: images come back when they are finished.' }),
  quality: ignoredField('quality', ['standard', 'hd', 'low', 'medium', 'high', 'auto']),
  style: ignoredField('style', ['vivid', 'natural']),
  moderation: ignoredField('moderation', ['low', 'auto']),
  // Stipple's images are never transparent, so only the opaque choices are accepted.
  background: ignoredField('background', ['auto', 'opaque']),
  output_compression: z
    .int()
    .min(0)
    .max(100)
    .optional()
    .meta({ description: "OpenAI's; accepted (0–100) and ignored." }),
  negative_prompt: job.negative_prompt,
  steps: job.steps,
  guidance: job.guidance,
  scheduler: job.scheduler,
  seed: job.seed,
});

/**
 * `POST /v1/images/generations`: OpenAI's fields plus Stipple's extensions (`negative_prompt`, `steps`, `guidance`,
 * `scheduler`, `seed`). OpenAI documents its optional fields as nullable, so `null` means the default here too.
 */
export const imageGenerationSchema = z.preprocess(
  (body) =>
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null))
      : body,
  imageGenerationFields,
);

export type ImageGenerationRequest = z.output<typeof imageGenerationSchema>;
