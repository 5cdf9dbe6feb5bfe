/** A moderator's verdict on a prompt, in OpenAI's moderation result's terms (`results[0]`), camelCase. */
export interface PromptVerdict {
  flagged: boolean;
  /** Category → flagged, as the moderator names them (OpenAI's: `sexual`, `violence`, `harassment/threatening`, …). */
  categories?: Record<string, boolean>;
  /** Category → score in [0, 1], as the moderator gives them. */
  categoryScores?: Record<string, number>;
}

/** One way of checking a prompt: the built-in term list, or an external endpoint. `name` is reported as `checked_by`. */
export interface PromptModerator {
  readonly name: string;
  /** The verdict; throws `ModerationUnavailableError` when none came. */
  moderate(prompt: string): Promise<PromptVerdict>;
}

/** A moderator gave no verdict (it timed out, could not be reached, or answered something else than a verdict). */
export class ModerationUnavailableError extends Error {
  override readonly name = 'ModerationUnavailableError';
}
