import { numericTensor, readFloatTensor } from '../backend/tensor-conversion.ts';
import type { StableDiffusionModel, TextEncoder } from '../model/load-model.ts';
import type { StageTimer } from './stage-timer.ts';

export interface PromptTruncation {
  /** Which prompt was cut: `prompt` or `negative_prompt`. */
  field: string;
  /** Tokens past the model's window that the model never saw. */
  droppedTokens: number;
}

export interface EncodedPrompts {
  /** One `[window, hidden]` block per text, in the order given; SDXL's two encoders sit side by side per token. */
  hiddenStates: Float32Array[];
  /** SDXL: the last encoder's pooled `text_embeds`, one per text. */
  pooled: Float32Array[] | undefined;
  truncations: PromptTruncation[];
}

interface EncoderOutput {
  states: Float32Array[];
  pooled: Float32Array[] | undefined;
  truncations: PromptTruncation[];
}

function split(values: Float32Array, parts: number): Float32Array[] {
  const size = values.length / parts;
  return Array.from({ length: parts }, (_, i) => values.slice(i * size, (i + 1) * size));
}

async function runEncoder(
  encoder: TextEncoder,
  texts: readonly { field: string; text: string }[],
  timer: StageTimer,
): Promise<EncoderOutput> {
  const { tokenizer, session, contract } = encoder;
  const encoded = timer.measure('tokenizeMs', () => texts.map(({ text }) => tokenizer.encodePadded(text)));
  const ids = encoded.flatMap((encoding) => Array.from(encoding.ids));
  const feeds = { input_ids: numericTensor(ids, contract.inputIdsType, [texts.length, tokenizer.maxLength]) };
  const outputs = await timer.run('textEncoderMs', session, feeds);
  return {
    states: split(readFloatTensor(outputs[contract.hiddenStatesOutput]), texts.length),
    pooled: contract.pooledOutput ? split(readFloatTensor(outputs[contract.pooledOutput]), texts.length) : undefined,
    truncations: encoded.flatMap((encoding, i) =>
      encoding.truncated ? [{ field: texts[i].field, droppedTokens: encoding.droppedTokenCount }] : [],
    ),
  };
}

/** Joins per-token embeddings along the last axis, as `torch.concat(prompt_embeds_list, dim=-1)` in SDXL. */
function concatenatePerToken(blocks: readonly Float32Array[], tokens: number): Float32Array {
  if (blocks.length === 1) return blocks[0];
  const widths = blocks.map((block) => block.length / tokens);
  const total = widths.reduce((sum, width) => sum + width, 0);
  const out = new Float32Array(tokens * total);
  for (let token = 0; token < tokens; token++) {
    let offset = token * total;
    blocks.forEach((block, i) => {
      out.set(block.subarray(token * widths[i], (token + 1) * widths[i]), offset);
      offset += widths[i];
    });
  }
  return out;
}

/** Tokenizes the texts (padded to the window) and runs them through each text encoder as one batch. */
export async function encodePrompts(
  model: StableDiffusionModel,
  texts: readonly { field: string; text: string }[],
  timer: StageTimer,
): Promise<EncodedPrompts> {
  const outputs: EncoderOutput[] = [];
  for (const encoder of model.textEncoders) outputs.push(await runEncoder(encoder, texts, timer));
  const window = model.tokenizer.maxLength;
  return {
    hiddenStates: texts.map((_, i) =>
      concatenatePerToken(
        outputs.map((output) => output.states[i]),
        window,
      ),
    ),
    pooled: outputs.at(-1)?.pooled,
    // Both SDXL tokenizers share one vocabulary, so the first one's truncation speaks for both.
    truncations: outputs[0].truncations,
  };
}

/**
 * SDXL's `force_zeros_for_empty_prompt`: with no negative prompt, the unconditional embeddings are zeros rather than
 * the encoding of "" (diffusers `StableDiffusionXLPipeline.encode_prompt`).
 */
export function withZeroNegative(prompts: EncodedPrompts): EncodedPrompts {
  const zerosLike = (blocks: Float32Array[]) => [new Float32Array(blocks[0].length), ...blocks];
  return {
    hiddenStates: zerosLike(prompts.hiddenStates),
    pooled: prompts.pooled && zerosLike(prompts.pooled),
    truncations: prompts.truncations,
  };
}
