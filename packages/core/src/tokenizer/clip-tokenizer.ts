import { ModelError } from '../errors.ts';
import { byteDecode } from './byte-encoder.ts';
import { clipSplitPattern, splitClipText } from './clip-split-pattern.ts';
import { cleanClipText } from './clip-text-cleanup.ts';
import {
  CLIP_TOKENIZER_DEFAULTS,
  type ClipEncoding,
  type ClipPaddedEncoding,
  type ClipTokenizerOptions,
} from './clip-tokenizer-types.ts';
import { TokenizerErrorCode } from './tokenizer-errors.ts';
import { readClipTokenizerFiles } from './tokenizer-files.ts';
import { WordEncoder } from './word-encoder.ts';

/** What a tokenizer folder cannot say about itself. */
export interface ClipTokenizerLoadOptions {
  /**
   * The text encoder's context in tokens (its `max_position_embeddings`), when known. The window is the folder's
   * `model_max_length` clamped to it, or the context itself when the folder sets no usable window.
   */
  contextLength?: number;
}

/**
 * Loads the tokenizer in `dir` (a model's `tokenizer/` folder); the same as {@link ClipTokenizer.fromDirectory}.
 * @throws ModelError as {@link ClipTokenizer.fromDirectory}.
 */
export function loadClipTokenizer(dir: string, options: ClipTokenizerLoadOptions = {}): Promise<ClipTokenizer> {
  return ClipTokenizer.fromDirectory(dir, options);
}

/**
 * CLIP's byte-level BPE tokenizer, as Stable Diffusion uses it (OpenAI CLIP simple_tokenizer.py, HF
 * tokenization_clip.py). Build it with {@link ClipTokenizer.fromDirectory} from a model's tokenizer folder.
 */
export class ClipTokenizer {
  /** The context window: ids per prompt, start and end tokens included (`model_max_length`, default 77). */
  readonly maxLength: number;
  /** Id of the start-of-text token (`<|startoftext|>`, 49406 in CLIP's vocabulary). */
  readonly bosTokenId: number;
  /** Id of the end-of-text token (`<|endoftext|>`, 49407 in CLIP's vocabulary). */
  readonly eosTokenId: number;
  /** Id written after the end token up to the window: the end token's, unless the config names a pad token. */
  readonly padTokenId: number;
  /** Id used for a BPE symbol missing from the vocabulary (HF's `unk_token`, the end token by default). */
  readonly unkTokenId: number;
  /** The start-of-text token's text (`bos_token`, default `<|startoftext|>`). */
  readonly bosToken: string;
  /** The end-of-text token's text (`eos_token`, default `<|endoftext|>`). */
  readonly eosToken: string;
  /** The pad token's text (`pad_token`): the end token by default, `"!"` in SD 2.x and SDXL's second tokenizer. */
  readonly padToken: string;
  /** The unknown token's text (`unk_token`, the end token by default). */
  readonly unkToken: string;

  readonly #vocab: ReadonlyMap<string, number>;
  readonly #words: WordEncoder;
  readonly #split: RegExp;
  /** Lower-cased special token text (as it appears in cleaned text) → its vocabulary entry and id. */
  readonly #specials = new Map<string, { token: string; id: number }>();
  #decoder: Map<number, string> | undefined;

  /** @throws ModelError `tokenizer_special_token_missing` when a start, end, pad or unknown token is not in `vocab`. */
  constructor(options: ClipTokenizerOptions) {
    const maxLength = options.maxLength ?? CLIP_TOKENIZER_DEFAULTS.maxLength;
    if (!Number.isInteger(maxLength) || maxLength < 2) {
      throw new RangeError(`maxLength must be an integer of at least 2 (start + end token), got ${maxLength}`);
    }
    this.maxLength = maxLength;
    this.#vocab = options.vocab instanceof Map ? options.vocab : new Map(Object.entries(options.vocab));
    this.bosToken = options.bosToken ?? CLIP_TOKENIZER_DEFAULTS.bosToken;
    this.eosToken = options.eosToken ?? CLIP_TOKENIZER_DEFAULTS.eosToken;
    this.padToken = options.padToken ?? this.eosToken;
    this.unkToken = options.unkToken ?? this.eosToken;
    const source = options.source ?? 'the tokenizer vocabulary';
    this.bosTokenId = this.#requireId(this.bosToken, 'start (bos_token)', source);
    this.eosTokenId = this.#requireId(this.eosToken, 'end (eos_token)', source);
    this.padTokenId = this.#requireId(this.padToken, 'padding (pad_token)', source);
    this.unkTokenId = this.#requireId(this.unkToken, 'unknown (unk_token)', source);
    // Only start and end are matched in text, as CLIP's pattern; the pad token (SD 2.x's "!") stays ordinary text.
    for (const [token, id] of [
      [this.bosToken, this.bosTokenId],
      [this.eosToken, this.eosTokenId],
    ] as const) {
      this.#specials.set(token.toLowerCase(), { token, id });
    }
    this.#split = clipSplitPattern([...this.#specials.keys()]);
    this.#words = new WordEncoder(this.#vocab, options.merges, { token: this.unkToken, id: this.unkTokenId });
  }

  /**
   * Loads the tokenizer of one tokenizer folder (a model's `tokenizer/`, or SDXL's `tokenizer_2/`): vocab.json and
   * merges.txt (or, without them, tokenizer.json), and, when present, tokenizer_config.json and special_tokens_map.json.
   * @throws ModelError `tokenizer_file_missing`, `tokenizer_file_unreadable`, `tokenizer_file_corrupt` or
   *   `tokenizer_special_token_missing`, naming the file.
   */
  static async fromDirectory(dir: string, options: ClipTokenizerLoadOptions = {}): Promise<ClipTokenizer> {
    const files = await readClipTokenizerFiles(dir);
    const { contextLength } = options;
    const declared = files.config.maxLength ?? contextLength;
    const maxLength =
      contextLength === undefined || declared === undefined ? declared : Math.min(declared, contextLength);
    return new ClipTokenizer({
      ...files.config,
      maxLength,
      vocab: files.vocab,
      merges: files.merges,
      source: files.vocabPath,
    });
  }

  /** Tokenizes `text`: start token, as many of its tokens as fit in `maxLength - 2`, end token. No padding. */
  encode(text: string): ClipEncoding {
    const { tokens, ids } = this.tokenize(text);
    const room = this.maxLength - 2;
    const droppedTokenCount = Math.max(0, ids.length - room);
    return {
      ids: [this.bosTokenId, ...ids.slice(0, room), this.eosTokenId],
      tokens: [this.bosToken, ...tokens.slice(0, room), this.eosToken],
      truncated: droppedTokenCount > 0,
      droppedTokenCount,
    };
  }

  /** Tokenizes `text` as {@link encode}, then pads with the pad token to exactly `maxLength` ids. */
  encodePadded(text: string): ClipPaddedEncoding {
    const { ids, truncated, droppedTokenCount } = this.encode(text);
    const padded = new Int32Array(this.maxLength).fill(this.padTokenId);
    padded.set(ids);
    return { ids: padded, length: ids.length, truncated, droppedTokenCount };
  }

  /** The id of a vocabulary entry (`',</w>'`, say), or undefined when the vocabulary has no such entry. */
  tokenId(token: string): number | undefined {
    return this.#vocab.get(token);
  }

  /**
   * Turns ids back into text as CLIP's `decode`: entries joined, bytes decoded as UTF-8, each `</w>` read as a space.
   * Special tokens are kept as their text. The result is the cleaned, lower-cased prompt, not the original.
   * @throws RangeError for an id that is not in the vocabulary.
   */
  decode(ids: ArrayLike<number>): string {
    if (this.#decoder === undefined) {
      this.#decoder = new Map();
      for (const [token, id] of this.#vocab) this.#decoder.set(id, token);
    }
    let joined = '';
    for (let i = 0; i < ids.length; i++) {
      const token = this.#decoder.get(ids[i]);
      if (token === undefined) throw new RangeError(`token id ${ids[i]} is not in the vocabulary`);
      joined += token;
    }
    return byteDecode(joined).replaceAll('</w>', ' ');
  }

  #requireId(token: string, role: string, source: string): number {
    const id = this.#vocab.get(token);
    if (id !== undefined) return id;
    const message = `${source}: expected the ${role} token ${JSON.stringify(token)} in the vocabulary, found no entry`;
    throw new ModelError(TokenizerErrorCode.specialTokenMissing, message, { path: source, token, role });
  }

  /**
   * The text's token ids and vocabulary entries, without start and end tokens and without truncation: what a prompt
   * chunker splits into windows (A1111's `tokenize`, before it chunks prompts longer than the window).
   */
  tokenize(text: string): { tokens: string[]; ids: number[] } {
    const tokens: string[] = [];
    const ids: number[] = [];
    for (const word of splitClipText(cleanClipText(text), this.#split)) {
      const special = this.#specials.get(word);
      if (special !== undefined) {
        tokens.push(special.token);
        ids.push(special.id);
        continue;
      }
      const encoded = this.#words.encode(word);
      tokens.push(...encoded.tokens);
      ids.push(...encoded.ids);
    }
    return { tokens, ids };
  }
}
