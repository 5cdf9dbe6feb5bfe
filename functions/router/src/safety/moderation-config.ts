import { isModerationMode, MODERATION_MODES, type ModerationMode, type ModerationPolicy } from './moderation-policy.ts';

/** `MODERATION_TIMEOUT_MS` when unset: long enough for OpenAI's moderation endpoint, short beside a generation. */
export const DEFAULT_MODERATION_TIMEOUT_MS = 2_000;
const MAX_MODERATION_TIMEOUT_MS = 30_000;

/** What the router does when the moderation endpoint gives no verdict (timeout, network error, non-2xx, bad body). */
export const MODERATION_FAILURE_SETTINGS = ['open', 'closed'] as const;
export type ModerationFailureSetting = (typeof MODERATION_FAILURE_SETTINGS)[number];

/** An external moderation endpoint speaking OpenAI's `POST /v1/moderations`. */
export interface ModerationEndpointConfig {
  /** `MODERATION_URL`, e.g. `https://api.openai.com/v1/moderations`. */
  url: string;
  /** `MODERATION_API_KEY`, sent as `Authorization: Bearer …`; absent: no header. */
  apiKey?: string;
  /** `MODERATION_MODEL`, sent as `model`; absent: the endpoint's default. */
  model?: string;
  /** `MODERATION_TIMEOUT_MS`, default 2000. */
  timeoutMs: number;
  /** `MODERATION_FAILURE`, default `closed`: under `block`, a prompt no verdict came for is refused (503). */
  failure: ModerationFailureSetting;
}

/** The router's content-safety settings: the tenants' default policy and the prompt moderators. */
export interface ModerationConfig {
  defaults: ModerationPolicy;
  /** `MODERATION_TERMS`: the built-in term list (`term-list-moderator.ts`); empty = none. */
  terms: string[];
  endpoint: ModerationEndpointConfig | undefined;
}

/** The bindings read here (`env.ts` documents each). */
export interface ModerationBindings {
  PROMPT_MODERATION?: string;
  IMAGE_MODERATION?: string;
  END_USER_BLOCK_THRESHOLD?: string;
  MODERATION_TERMS?: string;
  MODERATION_URL?: string;
  MODERATION_API_KEY?: string;
  MODERATION_MODEL?: string;
  MODERATION_TIMEOUT_MS?: string;
  MODERATION_FAILURE?: string;
}

const unset = (value: string | undefined): value is undefined => value === undefined || value.trim() === '';

function mode(name: string, value: string | undefined): ModerationMode {
  if (unset(value)) return 'flag';
  const trimmed = value.trim();
  if (isModerationMode(trimmed)) return trimmed;
  throw new Error(`${name} "${value}" is not a mode; use one of ${MODERATION_MODES.join(', ')}`);
}

function wholeNumber(name: string, value: string, least: number, most: number): number {
  const parsed = Number(value);
  if (Number.isInteger(parsed) && parsed >= least && parsed <= most) return parsed;
  throw new Error(`${name} "${value}" is not allowed; use a whole number from ${least} to ${most}`);
}

function endpoint(env: ModerationBindings): ModerationEndpointConfig | undefined {
  if (unset(env.MODERATION_URL)) return undefined;
  const url = env.MODERATION_URL.trim();
  if (!/^https?:\/\/[^/\s]/i.test(url)) {
    throw new Error(
      `MODERATION_URL "${url}" is not an http(s) URL; use the endpoint's full URL, ending /v1/moderations`,
    );
  }
  const failure = unset(env.MODERATION_FAILURE) ? 'closed' : env.MODERATION_FAILURE.trim();
  if (failure !== 'open' && failure !== 'closed') {
    throw new Error(`MODERATION_FAILURE "${env.MODERATION_FAILURE}" is not allowed; use open or closed`);
  }
  return {
    url,
    ...(!unset(env.MODERATION_API_KEY) && { apiKey: env.MODERATION_API_KEY }),
    ...(!unset(env.MODERATION_MODEL) && { model: env.MODERATION_MODEL.trim() }),
    timeoutMs: unset(env.MODERATION_TIMEOUT_MS)
      ? DEFAULT_MODERATION_TIMEOUT_MS
      : wholeNumber('MODERATION_TIMEOUT_MS', env.MODERATION_TIMEOUT_MS, 1, MAX_MODERATION_TIMEOUT_MS),
    failure,
  };
}

/** The content-safety bindings read and checked; a bad value throws naming the binding and what it allows. */
export function readModerationConfig(env: ModerationBindings): ModerationConfig {
  const threshold = env.END_USER_BLOCK_THRESHOLD;
  return {
    defaults: {
      prompts: mode('PROMPT_MODERATION', env.PROMPT_MODERATION),
      images: mode('IMAGE_MODERATION', env.IMAGE_MODERATION),
      endUserBlockThreshold: unset(threshold)
        ? null
        : wholeNumber('END_USER_BLOCK_THRESHOLD', threshold, 1, Number.MAX_SAFE_INTEGER),
    },
    terms: (env.MODERATION_TERMS ?? '')
      .split(/[,\n]/)
      .map((term) => term.trim())
      .filter((term) => term !== ''),
    endpoint: endpoint(env),
  };
}
