import type { ContentFilter } from '@stipple/jobs';
import type { ContentFilterView } from '../jobs/public-job-types.ts';
import type { PromptFilter } from './prompt-filter.ts';

/**
 * An image's safety result as the API shows it. A manifest from a worker older than issue 19 has none: "not checked".
 */
export function imageFilterView(filter: ContentFilter | undefined, blocked: boolean): ContentFilterView {
  return {
    checked: filter?.checked ?? false,
    flagged: filter?.flagged ?? false,
    blocked,
    checked_by: filter?.checkedBy ?? null,
    ...(filter?.scores && { scores: filter.scores }),
  };
}

/** A prompt's moderation result as the API shows it; `blocked` only in a refusal's error envelope. */
export function promptFilterView(filter: PromptFilter | undefined, blocked = false): ContentFilterView {
  return {
    checked: filter?.checked ?? false,
    flagged: filter?.flagged ?? false,
    blocked,
    checked_by: filter?.checkedBy ?? null,
    ...(filter?.categories && { categories: filter.categories }),
    ...(filter?.categoryScores && { category_scores: filter.categoryScores }),
    ...(filter?.unavailable !== undefined && { unavailable: filter.unavailable }),
  };
}
