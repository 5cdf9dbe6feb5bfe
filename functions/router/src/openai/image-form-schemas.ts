import { z } from 'zod';
import { MAX_INLINE_IMAGE_BYTES } from '../inputs/input-image-limits.ts';
import { jobRequestSchema } from '../jobs/job-request-schema.ts';
import { imageGenerationFields } from './image-generation-schema.ts';

const openai = imageGenerationFields.shape;
const job = jobRequestSchema.shape;

/**
 * A field sent as multipart text, read as the number or boolean its schema takes ("2" → 2, "true" → true); text that
 * is not one stays text, so the schema names it in its message.
 */
function formValue<Schema extends z.ZodType>(schema: Schema) {
  return z.preprocess((value) => {
    if (typeof value !== 'string' || value.trim() === '') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    const number = Number(value);
    return Number.isNaN(number) ? value : number;
  }, schema);
}

/** An image file of the form, PNG, JPEG or WebP (checked by its bytes later), at most `MAX_INLINE_IMAGE_BYTES`. */
function imageFile(name: string, description: string) {
  return z
    .file({ error: `${name} must be a file (multipart/form-data); send the image's bytes as a file field` })
    .max(MAX_INLINE_IMAGE_BYTES, {
      error: (issue) =>
        `${name} is ${(issue.input as File).size} bytes; send at most ${MAX_INLINE_IMAGE_BYTES} (4 MiB), or POST /v1/jobs with an upload (up to 20 MiB)`,
    })
    .meta({ description });
}

/** OpenAI's `size` also takes `auto`: the model's own size here. */
const size = z.preprocess((value) => (value === 'auto' ? undefined : value), openai.size);

/** The fields both forms share: OpenAI's, then Stipple's extensions. */
const shared = {
  model: openai.model,
  n: formValue(openai.n),
  size,
  response_format: openai.response_format,
  user: openai.user,
  output_format: openai.output_format,
  negative_prompt: job.negative_prompt,
  steps: formValue(job.steps),
  guidance: formValue(job.guidance),
  scheduler: job.scheduler,
  seed: formValue(job.seed),
};

/**
 * `POST /v1/images/edits` (multipart/form-data): OpenAI's fields (its SDKs send `image[]` for a list; one image
 * here), Stipple's extensions and `strength`. Without a mask the image is redrawn as a whole (image-to-image).
 */
export const imageEditSchema = z.strictObject({
  image: imageFile('image', 'The image to edit: PNG, JPEG or WebP, at most 4 MiB.'),
  mask: imageFile(
    'mask',
    "OpenAI's mask: a PNG with alpha the image's size; its transparent pixels are repainted. Optional: without it the whole image is redrawn.",
  ).optional(),
  prompt: openai.prompt,
  ...shared,
  quality: openai.quality,
  background: openai.background,
  output_compression: formValue(openai.output_compression),
  input_fidelity: z
    .enum(['high', 'low'])
    .optional()
    .meta({ description: "OpenAI's; accepted (high, low) and ignored." }),
  stream: formValue(openai.stream),
  strength: formValue(job.strength),
  mask_blur: formValue(job.mask_blur),
  preserve_unmasked: formValue(job.preserve_unmasked),
});

/** `POST /v1/images/variations` (multipart/form-data): OpenAI's fields, Stipple's extensions, `prompt` and `strength`. */
export const imageVariationSchema = z.strictObject({
  image: imageFile('image', 'The image to vary: PNG, JPEG or WebP, at most 4 MiB.'),
  ...shared,
  prompt: job.prompt
    .optional()
    .meta({ description: "Stipple's: steer the variation; default none (the text encoder sees an empty prompt)." }),
  strength: formValue(job.strength),
});

export type ImageEditRequest = z.output<typeof imageEditSchema>;
export type ImageVariationRequest = z.output<typeof imageVariationSchema>;
