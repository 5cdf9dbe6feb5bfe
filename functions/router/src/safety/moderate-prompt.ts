import type { ModerationConfig } from './moderation-config.ts';
import { moderationEndpoint } from './moderation-endpoint.ts';
import type { ModerationMode } from './moderation-policy.ts';
import { NOT_CHECKED, type PromptFilter } from './prompt-filter.ts';
import { ModerationUnavailableError, type PromptModerator } from './prompt-moderator.ts';
import { termListModerator } from './term-list-moderator.ts';

/** What becomes of a prompt: it goes on, it is refused (`block` and flagged), or no verdict came and it may not go on. */
export type PromptDecision = 'allow' | 'block' | 'unavailable';

/** The moderators the deployment configures, in the order they run: the term list (local, free), then the endpoint. */
export function promptModerators(config: ModerationConfig, fetcher?: typeof fetch): PromptModerator[] {
  return [
    ...(config.terms.length > 0 ? [termListModerator(config.terms)] : []),
    ...(config.endpoint ? [moderationEndpoint(config.endpoint, fetcher)] : []),
  ];
}

/**
 * Moderates a prompt under a tenant's prompt mode. Under `off`, or with no moderator configured, nothing runs and the
 * prompt is reported not checked. Otherwise each moderator runs in turn until one flags it. A moderator that gives no
 * verdict: under `block` with `MODERATION_FAILURE=closed` the prompt may not go on (`unavailable`, answered 503);
 * with `open`, or under `flag` (which refuses nothing anyway), it goes on reported `checked: false` with the reason.
 */
export async function moderatePrompt(
  config: ModerationConfig,
  mode: ModerationMode,
  prompt: string,
  fetcher?: typeof fetch,
): Promise<{ decision: PromptDecision; filter: PromptFilter }> {
  const moderators = mode === 'off' ? [] : promptModerators(config, fetcher);
  if (moderators.length === 0) return { decision: 'allow', filter: NOT_CHECKED };
  const answered: string[] = [];
  const filter: PromptFilter = { checked: false, flagged: false };
  for (const moderator of moderators) {
    try {
      const verdict = await moderator.moderate(prompt);
      answered.push(moderator.name);
      Object.assign(filter, verdict);
      if (verdict.flagged) break;
    } catch (error) {
      if (!(error instanceof ModerationUnavailableError)) throw error;
      filter.unavailable = error.message;
      if (mode === 'block' && config.endpoint?.failure === 'closed') return { decision: 'unavailable', filter };
    }
  }
  filter.checked = filter.flagged || filter.unavailable === undefined;
  if (answered.length > 0) filter.checkedBy = answered.join('+');
  return { decision: filter.flagged && mode === 'block' ? 'block' : 'allow', filter };
}
