import { corruptFile, parseJsonObject } from './tokenizer-errors.ts';

/** Special tokens and window read from tokenizer_config.json / special_tokens_map.json; absent fields mean "default". */
export interface ClipTokenizerConfig {
  /** `model_max_length`: the context window in tokens, start and end tokens included. */
  maxLength?: number;
  /** `bos_token`, the start-of-text token. */
  bosToken?: string;
  /** `eos_token`, the end-of-text token. */
  eosToken?: string;
  /** `pad_token`, written after the end token up to the window. */
  padToken?: string;
  /** `unk_token`, used for a BPE symbol missing from the vocabulary. */
  unkToken?: string;
}

/**
 * Largest `model_max_length` read as a real window. transformers writes `VERY_LARGE_INTEGER` (int(1e30)) when a
 * tokenizer was saved without one (`tokenization_utils_base.py`); any integer above this bound is read as that "not
 * set", and the window then comes from the text encoder (see `ClipTokenizer.fromDirectory`).
 */
const MAX_WINDOW = 65_536;

/** A token field as HF writes it: a string, `{ "content": "..." }` (an AddedToken), or null for "none". */
function readTokenField(json: Record<string, unknown>, key: string, path: string): string | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  throw corruptFile(
    path,
    `${key}: expected a string or an object with a string "content", found ${JSON.stringify(value)}`,
  );
}

const TOKEN_FIELDS = [
  ['bos_token', 'bosToken'],
  ['eos_token', 'eosToken'],
  ['pad_token', 'padToken'],
  ['unk_token', 'unkToken'],
] as const;

/**
 * Merges tokenizer_config.json and special_tokens_map.json (either may be absent). As in HF `from_pretrained`, a token
 * named in special_tokens_map.json wins over tokenizer_config.json; SD 2.x folders name their `"!"` pad token (id 0)
 * there.
 */
export function parseTokenizerConfig(
  configText: string | undefined,
  configPath: string,
  mapText: string | undefined,
  mapPath: string,
): ClipTokenizerConfig {
  const config: ClipTokenizerConfig = {};
  for (const [text, path] of [
    [configText, configPath],
    [mapText, mapPath],
  ] as const) {
    if (text === undefined) continue;
    const json = parseJsonObject(text, path);
    for (const [key, field] of TOKEN_FIELDS) {
      const token = readTokenField(json, key, path);
      if (token !== undefined) config[field] = token;
    }
    const maxLength = json.model_max_length;
    if (maxLength === undefined || maxLength === null) continue;
    if (typeof maxLength !== 'number' || !Number.isInteger(maxLength) || maxLength < 2) {
      const found = JSON.stringify(maxLength);
      throw corruptFile(path, `model_max_length: expected an integer of at least 2, found ${found}`);
    }
    if (maxLength <= MAX_WINDOW) config.maxLength = maxLength;
  }
  return config;
}
