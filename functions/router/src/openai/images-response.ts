import type { EdgeStorage } from '@stipple/adapters';
import { ApiError } from '../errors/api-error.ts';
import type { JobRecord } from '../jobs/job-record.ts';
import { jobView } from '../jobs/job-view.ts';
import type { ContentFilterView } from '../jobs/public-job-types.ts';
import { toBase64 } from './base64.ts';

/**
 * One image as OpenAI's `ImagesResponse.data` holds it, with its moderation results where Azure OpenAI puts its own
 * (`content_filter_results`, `prompt_filter_results` on each image), in Stipple's shape (docs/SAFETY.md). A blocked
 * image has neither `url` nor `b64_json` (OpenAI's SDKs type both as optional).
 */
export type OpenAiImage = ({ url: string } | { b64_json: string } | Record<never, never>) & {
  content_filter: ContentFilterView;
  prompt_filter: ContentFilterView;
};

/** An output's bytes, read through its presigned URL (EdgeStorage reads text and JSON only). */
async function readOutput(url: string, description: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`reading ${description} from storage answered ${response.status}`);
  }
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * A succeeded job as OpenAI's `{ created, data }`: presigned URLs, or the images themselves in base64, each with its
 * `content_filter`; blocked images in their place, without either. A job whose every image was blocked answers
 * `400 content_policy_violation` (as OpenAI refuses what its safety system stops) with its `job_id`: an SDK client
 * gets an error it can read instead of a list with no image in it.
 */
export async function imagesResponse(
  record: JobRecord,
  storage: EdgeStorage,
  format: 'url' | 'b64_json',
): Promise<{ created: number; data: OpenAiImage[] }> {
  const { outputs, prompt_filter } = await jobView(record, storage);
  if (outputs.length > 0 && outputs.every((output) => output.url === null)) {
    throw new ApiError(
      400,
      'content_policy_violation',
      `every image job ${record.id} made was blocked by this service's content policy (the image safety checker); nothing was charged`,
      { extra: { job_id: record.id }, headers: { location: `/v1/jobs/${record.id}` } },
    );
  }
  const data = await Promise.all(
    outputs.map(async ({ url, content_filter, index }): Promise<OpenAiImage> => {
      const filters = { content_filter, prompt_filter };
      if (url === null) return filters;
      if (format === 'url') return { url, ...filters };
      return { b64_json: toBase64(await readOutput(url, `output ${index} of ${record.id}`)), ...filters };
    }),
  );
  // OpenAI's `created`: when the images were made, in Unix seconds.
  return { created: Math.floor(Date.parse(record.completedAt ?? record.createdAt) / 1000), data };
}
