import { z } from 'zod';
import type { ModerationEndpointConfig } from './moderation-config.ts';
import { ModerationUnavailableError, type PromptModerator } from './prompt-moderator.ts';

/**
 * OpenAI's moderation answer (API reference, "Moderations": `{ id, model, results: [{ flagged, categories,
 * category_scores }] }`), as far as it is read: one result per input, and the input is one string. Other fields
 * (`category_applied_input_types`, a compatible server's own) are let through unread.
 */
const moderationAnswerSchema = z.object({
  results: z
    .array(
      z.object({
        flagged: z.boolean(),
        categories: z.record(z.string(), z.boolean()).optional(),
        category_scores: z.record(z.string(), z.number()).optional(),
      }),
    )
    .min(1),
});

/**
 * The adapter for an external moderation endpoint speaking OpenAI's `POST /v1/moderations`: `{ input, model? }` with
 * the operator's bearer key, answered within `timeoutMs`. No verdict (the time ran out, the endpoint was unreachable,
 * answered other than 2xx, or with a body that is not a moderation result) throws `ModerationUnavailableError`; what
 * then happens is `MODERATION_FAILURE`'s (`moderate-prompt.ts`).
 */
export function moderationEndpoint(config: ModerationEndpointConfig, fetcher: typeof fetch = fetch): PromptModerator {
  const unavailable = (why: string) => new ModerationUnavailableError(`the moderation endpoint ${why}`);
  return {
    name: 'moderation_endpoint',
    async moderate(prompt) {
      let response: Response;
      let body: unknown;
      try {
        response = await fetcher(config.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(config.apiKey !== undefined && { authorization: `Bearer ${config.apiKey}` }),
          },
          body: JSON.stringify({ input: prompt, ...(config.model !== undefined && { model: config.model }) }),
          signal: AbortSignal.timeout(config.timeoutMs),
        });
        if (!response.ok) {
          await response.body?.cancel();
          throw unavailable(`answered ${response.status}`);
        }
        body = await response.json().catch(() => undefined);
      } catch (error) {
        if (error instanceof ModerationUnavailableError) throw error;
        if ((error as Error).name === 'TimeoutError') throw unavailable(`did not answer within ${config.timeoutMs} ms`);
        throw unavailable(`could not be reached (${(error as Error).message})`);
      }
      const parsed = moderationAnswerSchema.safeParse(body);
      if (!parsed.success) throw unavailable('answered with something other than a moderation result');
      const [result] = parsed.data.results;
      return {
        flagged: result.flagged,
        ...(result.categories && { categories: result.categories }),
        ...(result.category_scores && { categoryScores: result.category_scores }),
      };
    },
  };
}
