import { numericTensor, readFloatTensor } from '../backend/tensor-conversion.ts';
import type { StableDiffusionModel } from '../model/load-model.ts';
import type { StageTimer } from './stage-timer.ts';

export interface PromptTruncation {
  /** Which prompt was cut: `prompt` or `negative_prompt`. */
  field: string;
  /** Tokens past the model's window that the model never saw. */
  droppedTokens: number;
}

export interface EncodedPrompts {
  /** One `[window, hidden]` block per text, in the order given. */
  hiddenStates: Float32Array[];
  truncations: PromptTruncation[];
}

/** Tokenizes the texts (padded to the window) and runs them through the text encoder as one batch. */
export async function encodePrompts(
  model: StableDiffusionModel,
  texts: readonly { field: string; text: string }[],
  timer: StageTimer,
): Promise<EncodedPrompts> {
  const { tokenizer, textEncoder } = model;
  const encoded = timer.measure('tokenizeMs', () => texts.map(({ text }) => tokenizer.encodePadded(text)));
  const window = tokenizer.maxLength;
  const ids = encoded.flatMap((encoding) => Array.from(encoding.ids));
  const feeds = { input_ids: numericTensor(ids, textEncoder.contract.inputIdsType, [texts.length, window]) };
  const outputs = await timer.run('textEncoderMs', textEncoder.session, feeds);
  const states = readFloatTensor(outputs[textEncoder.contract.hiddenStatesOutput]);
  const perText = states.length / texts.length;
  return {
    hiddenStates: texts.map((_, i) => states.slice(i * perText, (i + 1) * perText)),
    truncations: encoded.flatMap((encoding, i) =>
      encoding.truncated ? [{ field: texts[i].field, droppedTokens: encoding.droppedTokenCount }] : [],
    ),
  };
}
