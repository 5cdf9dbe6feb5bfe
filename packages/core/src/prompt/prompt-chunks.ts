import type { ClipTokenizer } from '../tokenizer/clip-tokenizer.ts';
import type { PromptSegment } from './prompt-attention.ts';

/** One window of a prompt as the text encoder takes it, with each token's attention weight. */
export interface PromptChunk {
  /** `maxLength` ids: start token, up to `maxLength − 2` prompt tokens, end token, then padding. */
  ids: Int32Array;
  /** One weight per id: the prompt tokens' emphasis, 1 for the start, end and padding. */
  weights: Float32Array;
}

/**
 * A1111's `comma_padding_backtrack` default: when a chunk fills up and a comma is at most this many tokens back, the
 * words after the comma move to the next chunk so that a phrase is not cut in two.
 */
export const COMMA_BACKTRACK_TOKENS = 20;

interface PendingChunk {
  ids: number[];
  weights: number[];
}

/**
 * Splits a parsed prompt into windows of `maxLength − 2` tokens, as A1111's `tokenize_line`: each run of text is
 * tokenized on its own, a full chunk moves its words after a comma within {@link COMMA_BACKTRACK_TOKENS} to the next
 * chunk, `BREAK` closes the current chunk (even an empty one), and a prompt with no tokens is one empty chunk.
 *
 * Each chunk is laid out as start, tokens, end, padding: for tokenizers whose pad token is the end token (SD 1.x)
 * that is A1111's layout, and for the others it is the layout A1111 rewrites its chunks to before encoding
 * (`process_tokens`) and the one diffusers gives a prompt of up to `maxLength − 2` tokens, which thus encodes as before.
 */
export function chunkPrompt(tokenizer: ClipTokenizer, segments: readonly PromptSegment[]): PromptChunk[] {
  const size = tokenizer.maxLength - 2;
  const comma = tokenizer.tokenId(',</w>');
  const chunks: PromptChunk[] = [];
  let chunk: PendingChunk = { ids: [], weights: [] };
  let lastComma = -1;
  const close = () => {
    chunks.push(layOut(tokenizer, chunk));
    chunk = { ids: [], weights: [] };
    lastComma = -1;
  };

  for (const segment of segments) {
    if (segment.kind === 'break') {
      close();
      continue;
    }
    for (const id of tokenizer.tokenize(segment.text).ids) {
      if (id === comma) {
        lastComma = chunk.ids.length;
      } else if (chunk.ids.length === size && lastComma !== -1 && size - lastComma <= COMMA_BACKTRACK_TOKENS) {
        const moved = { ids: chunk.ids.splice(lastComma + 1), weights: chunk.weights.splice(lastComma + 1) };
        close();
        chunk = moved;
      }
      if (chunk.ids.length === size) close();
      chunk.ids.push(id);
      chunk.weights.push(segment.weight);
    }
  }
  if (chunk.ids.length > 0 || chunks.length === 0) close();
  return chunks;
}

/** The chunk of an empty prompt: what a shorter prompt is padded with to match a longer one's chunk count. */
export function emptyChunk(tokenizer: ClipTokenizer): PromptChunk {
  return layOut(tokenizer, { ids: [], weights: [] });
}

function layOut(tokenizer: ClipTokenizer, chunk: PendingChunk): PromptChunk {
  const ids = new Int32Array(tokenizer.maxLength).fill(tokenizer.padTokenId);
  ids[0] = tokenizer.bosTokenId;
  ids.set(chunk.ids, 1);
  ids[chunk.ids.length + 1] = tokenizer.eosTokenId;
  const weights = new Float32Array(tokenizer.maxLength).fill(1);
  weights.set(chunk.weights, 1);
  return { ids, weights };
}
