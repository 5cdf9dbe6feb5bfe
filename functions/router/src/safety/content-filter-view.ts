import type { ContentFilter } from '@stipple/jobs';
import type { ContentFilterView } from '../jobs/public-job-types.ts';
import type { PromptFilter } from './prompt-filter.ts';

/** The fields every result has; a result that is absent reads "not checked". */
function verdictView(filter: Pick<ContentFilter, 'checked' | 'flagged' | 'checkedBy'> | undefined, blocked: boolean) {
  return {
    checked: filter?.checked ?? false,
    flagged: filter?.flagged ?? false,
    blocked,
    checked_by: filter?.checkedBy ?? null,
  };
}

/** An image's safety result as the API shows it (a manifest from a worker older than issue 19 has none). */
export function imageFilterView(filter: ContentFilter | undefined, blocked: boolean): ContentFilterView {
  return { ...verdictView(filter, blocked), ...(filter?.scores && { scores: filter.scores }) };
}

/** A prompt's moderation result as the API shows it; `blocked` only in a refusal's error envelope. */
export function promptFilterView(filter: PromptFilter | undefined, blocked = false): ContentFilterView {
  return {
    ...verdictView(filter, blocked),
    ...(filter?.categories && { categories: filter.categories }),
    ...(filter?.categoryScores && { category_scores: filter.categoryScores }),
    ...(filter?.unavailable !== undefined && { unavailable: filter.unavailable }),
  };
}
