/**
 * The job as the API shows it and the data of its events: what the router writes (job-view.ts, job-events.ts) and
 * clients such as the playground read. Types only, importing nothing of the Worker, so browser code can share them.
 */
import type { OutputFormat, Scheduler } from '@stipple/jobs';
import type { JobStatus } from './job-status.ts';

/**
 * A moderation result, of an image (`outputs[].content_filter`) or of the prompt (`prompt_filter`): OpenAI's moderation
 * result's fields (`flagged`, `categories`, `category_scores`) with what Stipple adds (docs/SAFETY.md).
 */
export interface ContentFilterView {
  /** A moderator or checker gave its verdict. `false` means "not checked" (off, none configured, none answered), never "safe". */
  checked: boolean;
  flagged: boolean;
  /** Refused under the tenant's `block` policy: a blocked image is not stored (no URL) and not charged. */
  blocked: boolean;
  /** What checked it: `safety_checker` (the model's), `term_list`, `moderation_endpoint` (`+`-joined when several); null when nothing did. */
  checked_by: string | null;
  /** Category → flagged, as the moderation endpoint names them (prompts only). */
  categories?: Record<string, boolean>;
  /** Category → score in [0, 1], as the moderation endpoint gives them (prompts only). */
  category_scores?: Record<string, number>;
  /** The image checker's margins over its thresholds (> 0 flags), when the checker outputs them. */
  scores?: Record<string, number>;
  /** Why a moderator gave no verdict (prompts only). */
  unavailable?: string;
}

/**
 * One image of a job, in the request's order (`index`), presigned afresh on every read. A blocked image has no
 * `url`, `expires_at`, `content_type` or `bytes` (null): it was never stored.
 */
export interface JobViewOutput {
  index: number;
  url: string | null;
  /** When `url` stops working (ISO 8601): the job's `url_ttl_seconds` after the read. */
  expires_at: string | null;
  seed: number;
  content_type: string | null;
  bytes: number | null;
  content_filter: ContentFilterView;
}

/** An input image of a job: the upload it was stored as (`upl_…`) and its content's SHA-256, in hex. */
export interface JobViewInputImage {
  upload_id: string;
  sha256: string;
}

/** A job as `GET /v1/jobs/:id`, the job list and the final event of its stream show it. */
export interface JobView {
  id: string;
  object: 'job';
  status: JobStatus;
  model: string;
  /**
   * The values the job runs with: what was asked, the catalogue's size and steps where it was not; once run, every
   * value as the GPU used it (the model's guidance and scheduler, the seed it drew).
   */
  input: {
    prompt: string;
    negative_prompt: string | null;
    width?: number;
    height?: number;
    steps?: number;
    guidance: number | null;
    scheduler: Scheduler | null;
    seed: number | null;
    n?: number;
    output_format: OutputFormat;
    /** Image-to-image and inpainting: the image started from, and the mask (white = repainted); null without. */
    image: JobViewInputImage | null;
    mask: JobViewInputImage | null;
    /** How much of the schedule ran over `image` (floor(steps × strength) steps); null for text-to-image. */
    strength: number | null;
    mask_blur: number | null;
    preserve_unmasked: boolean | null;
  };
  end_user: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  progress: { step: number; total_steps: number; eta_ms: number } | null;
  /** The prompt's moderation result (`checked: false` when not moderated). */
  prompt_filter: ContentFilterView;
  /** Every image the job made, blocked ones included (marked, without URL); images stored and charged are `usage.images`. */
  outputs: JobViewOutput[];
  /** The engine's reproducibility records, one per image, once the job has succeeded. */
  records: unknown[];
  usage: { images: number; megapixel_steps: number; credits: number };
  /** How the job ended badly, in words that name no internals (errors/public-job-error.ts); null otherwise. */
  error: { code: string; message: string } | null;
}

/** A `progress` event's data. */
export interface JobProgressEventData {
  step: number;
  total_steps: number;
  /** Milliseconds the GPU expects the job still needs. */
  eta_ms: number;
  /** When the GPU reported the step (ISO 8601), if it said. */
  reported_at?: string;
}

/** A `preview` event's data: the job's latest low-resolution images (1/8 of the final size), as PNG data URLs. */
export interface JobPreviewEventData {
  step: number;
  width: number;
  height: number;
  images: string[];
}
