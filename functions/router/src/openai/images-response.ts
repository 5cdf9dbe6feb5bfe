import type { EdgeStorage } from '@stipple/adapters';
import type { JobRecord } from '../jobs/job-record.ts';
import { jobView } from '../jobs/job-view.ts';
import { toBase64 } from './base64.ts';

/** One image as OpenAI's `ImagesResponse.data` holds it. */
export type OpenAiImage = { url: string } | { b64_json: string };

/** An output's bytes, read through its presigned URL (EdgeStorage reads text and JSON only). */
async function readOutput(url: string, description: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`reading ${description} from storage answered ${response.status}`);
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** A succeeded job as OpenAI's `{ created, data }`: presigned URLs, or the images themselves in base64. */
export async function imagesResponse(
  record: JobRecord,
  storage: EdgeStorage,
  format: 'url' | 'b64_json',
): Promise<{ created: number; data: OpenAiImage[] }> {
  const { outputs } = await jobView(record, storage);
  const data =
    format === 'url'
      ? outputs.map((output) => ({ url: output.url }))
      : await Promise.all(
          outputs.map(async (output, index) => ({
            b64_json: toBase64(await readOutput(output.url, `output ${index} of ${record.id}`)),
          })),
        );
  // OpenAI's `created`: when the images were made, in Unix seconds.
  return { created: Math.floor(Date.parse(record.completedAt ?? record.createdAt) / 1000), data };
}
