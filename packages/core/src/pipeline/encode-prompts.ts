import { numericTensor, readFloatTensor } from '../backend/tensor-conversion.ts';
import type { StableDiffusionModel, TextEncoder } from '../model/load-model.ts';
import { applyEmphasis } from '../prompt/prompt-emphasis.ts';
import type { StageTimer } from './stage-timer.ts';
import type { TokenizedPrompts } from './tokenize-prompts.ts';

export interface EncodedPrompts {
  /**
   * One `[sequenceLength, hidden]` block per text, in the order given: its chunks' hidden states one after another
   * along the token axis, SDXL's two encoders side by side per token.
   */
  hiddenStates: Float32Array[];
  /** SDXL: the last encoder's pooled `text_embeds` of each text's first chunk (as A1111), one per text. */
  pooled: Float32Array[] | undefined;
  /** Tokens per text: chunks × the window. */
  sequenceLength: number;
}

interface EncoderOutput {
  states: Float32Array[];
  pooled: Float32Array[] | undefined;
}

function split(values: Float32Array, parts: number): Float32Array[] {
  const size = values.length / parts;
  return Array.from({ length: parts }, (_, i) => values.slice(i * size, (i + 1) * size));
}

/** Every chunk of every text through one encoder as one batch, each chunk weighted on its own (A1111 per chunk). */
async function runEncoder(
  encoder: TextEncoder,
  chunks: TokenizedPrompts['chunks'][number],
  output: string,
  timer: StageTimer,
): Promise<EncoderOutput> {
  const { tokenizer, session, contract } = encoder;
  const all = chunks.flat();
  const ids = all.flatMap((chunk) => Array.from(chunk.ids));
  const feeds = { input_ids: numericTensor(ids, contract.inputIdsType, [all.length, tokenizer.maxLength]) };
  const outputs = await timer.run('textEncoderMs', session, feeds);
  const states = split(readFloatTensor(outputs[output]), all.length);
  states.forEach((chunkStates, i) => {
    applyEmphasis(chunkStates, all[i].weights);
  });
  const joinTexts = (blocks: Float32Array[]) =>
    chunks.map((_, text) => concatenate(blocks.slice(text * chunks[0].length, (text + 1) * chunks[0].length)));
  const pooled = contract.pooledOutput ? split(readFloatTensor(outputs[contract.pooledOutput]), all.length) : undefined;
  return {
    states: joinTexts(states),
    pooled: pooled && chunks.map((_, text) => pooled[text * chunks[0].length]),
  };
}

function concatenate(blocks: readonly Float32Array[]): Float32Array {
  if (blocks.length === 1) return blocks[0];
  const out = new Float32Array(blocks.reduce((sum, block) => sum + block.length, 0));
  let offset = 0;
  for (const block of blocks) {
    out.set(block, offset);
    offset += block.length;
  }
  return out;
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

/**
 * Runs tokenized prompts through each text encoder (one batch per encoder): the conditioning the UNet attends to.
 * Exported for the parity tests, which compare it with the A1111-behaviour reference.
 */
export async function encodePrompts(
  model: StableDiffusionModel,
  prompts: TokenizedPrompts,
  timer: StageTimer,
): Promise<EncodedPrompts> {
  const outputs: EncoderOutput[] = [];
  for (const [i, encoder] of model.textEncoders.entries()) {
    outputs.push(await runEncoder(encoder, prompts.chunks[i], prompts.outputs[i], timer));
  }
  const sequenceLength = prompts.chunkCount * model.tokenizer.maxLength;
  return {
    hiddenStates: outputs[0].states.map((_, text) =>
      concatenatePerToken(
        outputs.map((output) => output.states[text]),
        sequenceLength,
      ),
    ),
    pooled: outputs.at(-1)?.pooled,
    sequenceLength,
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
    sequenceLength: prompts.sequenceLength,
  };
}
