/** Marks the last symbol of a word; CLIP's vocabulary holds `cat</w>` (a whole word) apart from `cat` (a prefix). */
export const END_OF_WORD = '</w>';

/** One line of merges.txt: the two symbols that merge into one, e.g. `['t', 'h']` → `th`. */
export type MergePair = readonly [string, string];

/**
 * Byte-pair encoding with merge ranks, as `bpe()` in CLIP's simple_tokenizer.py: split a byte-encoded word into
 * characters, mark the last with `</w>`, then repeatedly merge the adjacent pair whose merge came earliest in
 * merges.txt (lowest rank), all its non-overlapping occurrences left to right, until no adjacent pair has a rank.
 */
export class BytePairEncoder {
  /** `first + ' ' + second` → rank. Symbols never hold a space (byte 0x20 is byte-encoded to `Ġ`), so keys are unique. */
  readonly #ranks: Map<string, number>;

  /** @param merges Merge pairs in merges.txt order; a pair listed twice keeps its later rank, as CLIP's `dict(zip(...))`. */
  constructor(merges: readonly MergePair[]) {
    this.#ranks = new Map();
    for (let rank = 0; rank < merges.length; rank++) this.#ranks.set(`${merges[rank][0]} ${merges[rank][1]}`, rank);
  }

  /** Splits one byte-encoded word into its BPE symbols; the last symbol ends with `</w>`. */
  encodeWord(word: string): string[] {
    let symbols = Array.from(word);
    if (symbols.length === 0) return symbols;
    symbols[symbols.length - 1] += END_OF_WORD;
    while (symbols.length > 1) {
      let bestRank = Number.POSITIVE_INFINITY;
      let bestAt = -1;
      for (let i = 0; i < symbols.length - 1; i++) {
        const rank = this.#ranks.get(`${symbols[i]} ${symbols[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          bestAt = i;
        }
      }
      if (bestAt < 0) break;
      symbols = mergeAll(symbols, symbols[bestAt], symbols[bestAt + 1]);
    }
    return symbols;
  }
}

/** Replaces every non-overlapping `first, second` (scanning left to right) with `first + second`. */
function mergeAll(symbols: readonly string[], first: string, second: string): string[] {
  const merged: string[] = [];
  let i = 0;
  while (i < symbols.length) {
    if (i < symbols.length - 1 && symbols[i] === first && symbols[i + 1] === second) {
      merged.push(first + second);
      i += 2;
    } else {
      merged.push(symbols[i]);
      i += 1;
    }
  }
  return merged;
}
