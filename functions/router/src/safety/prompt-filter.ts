/**
 * A job's prompt moderation result, kept on its record and shown as `prompt_filter` (`content-filter-view.ts`).
 * `checked: false` means no verdict from every moderator configured (moderation `off`, none configured, or one gave no
 * verdict): never read it as "safe".
 */
export interface PromptFilter {
  checked: boolean;
  flagged: boolean;
  /** The moderators that gave a verdict, `+`-joined in the order they ran (`term_list+moderation_endpoint`). */
  checkedBy?: string;
  categories?: Record<string, boolean>;
  categoryScores?: Record<string, number>;
  /** Why a moderator gave no verdict (`MODERATION_FAILURE=open`, or under `flag`). */
  unavailable?: string;
}

export const NOT_CHECKED: PromptFilter = { checked: false, flagged: false };
