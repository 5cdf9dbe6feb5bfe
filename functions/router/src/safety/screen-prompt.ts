import { tenantAccount } from '../durable-objects.ts';
import type { Env } from '../env.ts';
import { ApiError } from '../errors/api-error.ts';
import { promptFilterView } from './content-filter-view.ts';
import { moderatePrompt } from './moderate-prompt.ts';
import type { ModerationConfig } from './moderation-config.ts';
import type { ModerationMode } from './moderation-policy.ts';
import type { PromptFilter } from './prompt-filter.ts';

/** What screening needs of the job just reserved. */
export interface ScreenedJob {
  id: string;
  tenantId: string;
  prompt: string;
  endUser?: string;
}

/**
 * Moderates a reserved job's prompt under the tenant's prompt mode (`moderate-prompt.ts`) and answers its filter for
 * the record. A refused prompt takes its reservation back, counted as blocked (and as a blocked attempt of its end
 * user), and answers `400 content_policy_violation`, OpenAI's code; no verdict under `MODERATION_FAILURE=closed` takes
 * it back uncounted and answers `503 moderation_unavailable`. Either way nothing is charged and no job exists. So does
 * any other failure here: no reservation outlives a job that was never started.
 */
export async function screenPrompt(
  env: Env,
  config: ModerationConfig,
  { job, mode }: { job: ScreenedJob; mode: ModerationMode },
): Promise<PromptFilter> {
  const account = tenantAccount(env, job.tenantId);
  let outcome: Awaited<ReturnType<typeof moderatePrompt>>;
  try {
    outcome = await moderatePrompt(config, mode, job.prompt);
  } catch (error) {
    await account.withdraw(job.id);
    throw error;
  }
  const { decision, filter } = outcome;
  if (decision === 'block') {
    await account.withdraw(job.id, { endUser: job.endUser });
    throw new ApiError(
      400,
      'content_policy_violation',
      `the prompt was refused by this service's content policy (checked by ${filter.checkedBy}); nothing was charged`,
      { param: 'prompt', extra: { prompt_filter: promptFilterView(filter, true) } },
    );
  }
  if (decision === 'unavailable') {
    await account.withdraw(job.id);
    throw new ApiError(
      503,
      'moderation_unavailable',
      `prompt moderation is unavailable (${filter.unavailable}) and this service does not generate unchecked prompts; nothing was charged, try again`,
    );
  }
  return filter;
}
