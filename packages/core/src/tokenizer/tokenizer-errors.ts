import { ModelError } from '../errors.ts';

/** Stable `ModelError` codes raised while loading a tokenizer. */
export const TokenizerErrorCode = {
  /** A required file (vocab.json, merges.txt) does not exist. */
  fileMissing: 'tokenizer_file_missing',
  /** A file exists but could not be read (permissions, a directory in its place). */
  fileUnreadable: 'tokenizer_file_unreadable',
  /** A file's content is not what the format requires (bad JSON, a malformed merge line, a bad config value). */
  fileCorrupt: 'tokenizer_file_corrupt',
  /** A start, end, pad or unknown token named by the config (or CLIP's default) is not in the vocabulary. */
  specialTokenMissing: 'tokenizer_special_token_missing',
} as const;

/** A `tokenizer_file_corrupt` error whose message starts with the file's path. */
export function corruptFile(path: string, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
  return new ModelError(TokenizerErrorCode.fileCorrupt, `${path}: ${message}`, { path, ...details }, { cause });
}

/** Parses `text` as a JSON object (not an array or a scalar), or throws `tokenizer_file_corrupt` naming `path`. */
export function parseJsonObject(text: string, path: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw corruptFile(path, `expected JSON, found invalid JSON (${(error as Error).message})`, {}, error);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw corruptFile(
      path,
      `expected a JSON object, found ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`,
    );
  }
  return value as Record<string, unknown>;
}
