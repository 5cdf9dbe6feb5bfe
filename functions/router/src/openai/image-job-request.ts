import { DEFAULT_JOB_TIMEOUT_SECONDS, type JobRequest, URL_TTL_SECONDS } from '../jobs/job-request-schema.ts';
import type { ImageGenerationRequest } from './image-generation-schema.ts';

/** An OpenAI image request as a job; the ignored OpenAI fields and `user` go no further. */
export function imageJobRequest(request: ImageGenerationRequest): JobRequest {
  return {
    model: request.model,
    prompt: request.prompt,
    negative_prompt: request.negative_prompt,
    width: request.size?.width,
    height: request.size?.height,
    steps: request.steps,
    guidance: request.guidance,
    scheduler: request.scheduler,
    seed: request.seed,
    n: request.n,
    output_format: request.output_format,
    // OpenAI's image URLs are valid for 60 minutes.
    url_ttl_seconds: URL_TTL_SECONDS.default,
    timeout_seconds: DEFAULT_JOB_TIMEOUT_SECONDS,
  };
}
