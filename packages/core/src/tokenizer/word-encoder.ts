import { BytePairEncoder, type MergePair } from './bpe.ts';
import { byteEncode } from './byte-encoder.ts';

/** One pre-tokenized word as vocabulary entries and their ids. */
export interface EncodedWord {
  /** The vocabulary entries, e.g. `['butter', 'fly</w>']`. */
  readonly tokens: readonly string[];
  /** Their ids, aligned with `tokens`. */
  readonly ids: readonly number[];
}

/** Words kept in the cache. CLIP's cache is unbounded; a server's must not grow with every prompt it ever saw. */
const WORD_CACHE_LIMIT = 20_000;

/** Turns one word of cleaned text into vocabulary ids: byte-encode, BPE, look up; results cached by word. */
export class WordEncoder {
  readonly #vocab: ReadonlyMap<string, number>;
  readonly #bpe: BytePairEncoder;
  readonly #unk: { token: string; id: number };
  readonly #cache = new Map<string, EncodedWord>();

  /** @param unk Stands in for a BPE symbol missing from `vocab` (HF's `unk_token`). */
  constructor(vocab: ReadonlyMap<string, number>, merges: readonly MergePair[], unk: { token: string; id: number }) {
    this.#vocab = vocab;
    this.#bpe = new BytePairEncoder(merges);
    this.#unk = unk;
  }

  /** Encodes one word (a match of CLIP's split pattern other than a special token). */
  encode(word: string): EncodedWord {
    const key = byteEncode(word);
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const tokens: string[] = [];
    const ids: number[] = [];
    for (const symbol of this.#bpe.encodeWord(key)) {
      // HF maps a symbol missing from the vocabulary to unk_token (CLIP's own code would fail). CLIP's vocabulary has
      // every byte alone and with `</w>`, so only a vocabulary that does not match its merges.txt gets here.
      const id = this.#vocab.get(symbol);
      tokens.push(id === undefined ? this.#unk.token : symbol);
      ids.push(id ?? this.#unk.id);
    }
    const encoded = { tokens, ids };
    if (this.#cache.size >= WORD_CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(key, encoded);
    return encoded;
  }
}
