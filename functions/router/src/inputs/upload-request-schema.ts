import { INPUT_IMAGE_CONTENT_TYPES } from '@stipple/jobs';
import { z } from 'zod';
import { MAX_UPLOAD_BYTES } from './input-image-limits.ts';

/** `POST /v1/uploads`: the type and exact size of the image about to be uploaded, both signed into the URL. */
export const uploadRequestSchema = z.strictObject({
  content_type: z
    .enum(INPUT_IMAGE_CONTENT_TYPES)
    .meta({ description: 'The image type; the PUT must send exactly this Content-Type.' }),
  size_bytes: z
    .int()
    .min(1)
    .max(MAX_UPLOAD_BYTES)
    .meta({
      description: `The file's size in bytes, at most ${MAX_UPLOAD_BYTES} (20 MiB); the PUT must send exactly this many.`,
    }),
});

export type UploadRequest = z.output<typeof uploadRequestSchema>;
