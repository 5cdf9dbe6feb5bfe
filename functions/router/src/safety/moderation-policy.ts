import { IMAGE_SAFETY_MODES, type ImageSafetyMode } from '@stipple/jobs';

/**
 * What happens to a prompt or an image a moderator flags: `off` (not checked), `flag` (checked and reported) or
 * `block` (refused: a prompt answers 400 `content_policy_violation`, an image is not stored). The job contract's image
 * modes (`@stipple/jobs`), used for prompts alike.
 */
export const MODERATION_MODES = IMAGE_SAFETY_MODES;
export type ModerationMode = ImageSafetyMode;

/** A tenant's content policy: the deployment's defaults (`router-config.ts`) with the tenant's own overrides. */
export interface ModerationPolicy {
  /** Prompt moderation (`safety/moderate-prompt.ts`). Default `PROMPT_MODERATION`, else `flag`. */
  prompts: ModerationMode;
  /** The job's `safety.images`, for the worker's safety checker. Default `IMAGE_MODERATION`, else `flag`. */
  images: ModerationMode;
  /**
   * Blocked attempts (a refused prompt, a job with a blocked image) after which an end user's client tokens are
   * refused (`403 end_user_blocked`); `null`: never. Default `END_USER_BLOCK_THRESHOLD`, else `null`.
   */
  endUserBlockThreshold: number | null;
}

/** A tenant's overrides, as stored: `null` (or absent) = the deployment's default. */
export type ModerationOverrides = { [Field in keyof ModerationPolicy]?: ModerationPolicy[Field] | null };

export function isModerationMode(value: unknown): value is ModerationMode {
  return (MODERATION_MODES as readonly unknown[]).includes(value);
}

/** The deployment's defaults with the tenant's overrides on top. */
export function effectivePolicy(defaults: ModerationPolicy, overrides: ModerationOverrides): ModerationPolicy {
  return {
    prompts: overrides.prompts ?? defaults.prompts,
    images: overrides.images ?? defaults.images,
    endUserBlockThreshold:
      overrides.endUserBlockThreshold === undefined || overrides.endUserBlockThreshold === null
        ? defaults.endUserBlockThreshold
        : overrides.endUserBlockThreshold,
  };
}
