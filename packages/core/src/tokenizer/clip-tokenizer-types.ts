import type { MergePair } from './bpe.ts';
import type { ClipTokenizerConfig } from './tokenizer-config.ts';

/** HF CLIPTokenizer's default special tokens, and the 77-token window of every Stable Diffusion text encoder. */
export const CLIP_TOKENIZER_DEFAULTS = {
  maxLength: 77,
  bosToken: '<|startoftext|>',
  eosToken: '<|endoftext|>',
} as const;

/** What the tokenizer is built from: parsed vocab.json and merges.txt plus the config's overrides. */
export interface ClipTokenizerOptions extends ClipTokenizerConfig {
  /** Token → id, as vocab.json. */
  vocab: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  /** Merge pairs in merges.txt order (rank 0 first). */
  merges: readonly MergePair[];
  /** Where the vocabulary came from (vocab.json's path), named in errors. */
  source?: string;
}

/** A prompt as token ids, without padding. */
export interface ClipEncoding {
  /** The start token id, the text's token ids (as many as fit the window), the end token id. */
  ids: number[];
  /** The vocabulary entries of `ids`, e.g. `['<|startoftext|>', 'a</w>', 'cat</w>', '<|endoftext|>']`. */
  tokens: string[];
  /** Whether the text had more tokens than fit between the start and end tokens. */
  truncated: boolean;
  /** How many of the text's tokens were cut off the end (0 unless `truncated`). */
  droppedTokenCount: number;
}

/** A prompt as the text encoder takes it: exactly `maxLength` ids. */
export interface ClipPaddedEncoding {
  /** `maxLength` ids: start, text, end, then the pad token id up to the window. */
  ids: Int32Array;
  /** How many ids precede the padding (start and end included), so the end token sits at `length - 1`. */
  length: number;
  /** Whether the text had more tokens than fit between the start and end tokens. */
  truncated: boolean;
  /** How many of the text's tokens were cut off the end (0 unless `truncated`). */
  droppedTokenCount: number;
}
