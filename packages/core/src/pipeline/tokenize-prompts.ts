import { ValidationError } from '../errors.ts';
import type { StableDiffusionModel } from '../model/load-model.ts';
import { parsePromptAttention } from '../prompt/prompt-attention.ts';
import { chunkPrompt, emptyChunk, type PromptChunk } from '../prompt/prompt-chunks.ts';
import { clipSkipOutput } from './clip-skip.ts';

export interface PromptText {
  /** Which request field the text came from, named in errors: `prompt` or `negative_prompt`. */
  field: string;
  text: string;
}

/** A request's texts parsed, weighted and chunked for every text encoder: all the encode step needs. */
export interface TokenizedPrompts {
  /** Per text encoder, per text (in the order given), its chunks; every text has `chunkCount` of them. */
  chunks: PromptChunk[][][];
  /**
   * Windows per text: the longest text's, the others padded with empty-prompt chunks (A1111's `pad_cond_uncond`), so
   * that the prompt and negative prompt share one UNet batch. The UNet sees `chunkCount × maxLength` tokens.
   */
  chunkCount: number;
  /** Per text encoder, the output read as the prompt embedding (see `clipSkipOutput`). */
  outputs: string[];
}

/**
 * Parses each text's emphasis and `BREAK`s, splits it into windows per text encoder (A1111's chunking) and picks each
 * encoder's output for `clipSkip`.
 * @throws ValidationError `invalid_prompt_weight`, `clip_skip_unsupported`, `invalid_clip_skip`, or
 *   `prompt_too_long` when the UNet's export fixes `encoder_hidden_states` to fewer tokens than the prompt needs.
 */
export function tokenizePrompts(
  model: StableDiffusionModel,
  texts: readonly PromptText[],
  clipSkip: number,
): TokenizedPrompts {
  const outputs = model.textEncoders.map((encoder) =>
    clipSkipOutput(encoder.contract, clipSkip, `${model.id} (${encoder.name})`),
  );
  const parsed = texts.map(({ text }) => parsePromptAttention(text));
  const unpadded = model.textEncoders.map(({ tokenizer }) =>
    parsed.map((segments) => chunkPrompt(tokenizer, segments)),
  );
  const chunkCount = Math.max(...unpadded.flat().map((chunks) => chunks.length));
  checkSequenceLength(model, texts, unpadded[0], chunkCount);
  const chunks = unpadded.map((perText, i) =>
    perText.map((textChunks) => {
      const padding = Array.from({ length: chunkCount - textChunks.length }, () =>
        emptyChunk(model.textEncoders[i].tokenizer),
      );
      return [...textChunks, ...padding];
    }),
  );
  return { chunks, chunkCount, outputs };
}

function checkSequenceLength(
  model: StableDiffusionModel,
  texts: readonly PromptText[],
  chunks: readonly PromptChunk[][],
  chunkCount: number,
): void {
  const fixed = model.unet.contract.sequenceLength;
  const window = model.tokenizer.maxLength;
  if (fixed === undefined || chunkCount * window <= fixed) return;
  const longest = chunks.findIndex((textChunks) => textChunks.length === chunkCount);
  const { field } = texts[longest];
  const room = Math.floor(fixed / window) * (window - 2);
  throw new ValidationError(
    'prompt_too_long',
    `${field} needs ${chunkCount} windows of ${window} tokens, but ${model.id}'s UNet takes a fixed ${fixed}-token encoder_hidden_states; shorten it to at most ${room} tokens (without BREAK), or use an export with a dynamic sequence axis`,
    { field, windows: chunkCount, sequenceLength: fixed },
  );
}
