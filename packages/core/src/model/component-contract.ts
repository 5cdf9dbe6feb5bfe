import type { ModelSession, TensorType, ValueInfo } from '../backend/model-session.ts';
import { ModelError } from '../errors.ts';

/** What the pipeline must know about a component's graph to feed it: names, element types and ranks. */
export interface TextEncoderContract {
  inputIdsType: 'int32' | 'int64';
  /**
   * The output read as the prompt embedding: `last_hidden_state` for SD 1.x/2.x, the penultimate layer
   * (`hidden_states.N-1`) for SDXL, as diffusers' `StableDiffusionXLPipeline.encode_prompt` reads `hidden_states[-2]`.
   */
  hiddenStatesOutput: string;
  /** Width of the hidden states when the graph declares it. */
  hiddenSize: number | undefined;
  /** The pooled, projected embedding (`text_embeds`) of a `CLIPTextModelWithProjection`, when the graph has one. */
  pooledOutput: string | undefined;
  /**
   * The per-layer outputs `hidden_states.0` (embeddings) … `hidden_states.N` (last layer, before the final layer norm)
   * in layer order, as Optimum exports them for SDXL; empty when the graph has none. Clip skip reads these.
   */
  layerOutputs: string[];
  /** Whether `hiddenStatesOutput` is the penultimate layer (SDXL) rather than `last_hidden_state`. */
  penultimate: boolean;
}

export interface UnetContract {
  sampleType: 'float32' | 'float16';
  encoderHiddenStatesType: 'float32' | 'float16';
  timestepType: TensorType;
  /** True when `timestep` is a rank-0 scalar shared by the batch; false for shape `[batch]`. */
  timestepIsScalar: boolean;
  /** Width of the LCM guidance embedding (`timestep_cond`), when the UNet takes one. */
  timestepCondDim: number | undefined;
  timestepCondType: 'float32' | 'float16' | undefined;
  outputName: string;
  /** Width of `encoder_hidden_states` when the graph declares it. */
  crossAttentionDim: number | undefined;
  /**
   * Tokens in `encoder_hidden_states` when the graph fixes them (77 for a one-window export); undefined for a dynamic
   * `sequence` axis (Optimum's exports), which takes prompts longer than one window.
   */
  sequenceLength: number | undefined;
  /** SDXL's extra conditioning (`addition_embed_type: text_time`): pooled text embeds and size/crop time ids. */
  textTime:
    | {
        textEmbedsType: 'float32' | 'float16';
        timeIdsType: 'float32' | 'float16';
        /** Values per row of `time_ids` when the graph declares it: 6 for SDXL, 5 for its refiner. */
        timeIdsWidth: number | undefined;
      }
    | undefined;
}

export interface VaeDecoderContract {
  latentType: 'float32' | 'float16';
  outputName: string;
}

export const FLOATS = ['float32', 'float16'] as const;
const SDXL_CONDITIONING = 'float32 or float16 [batch, n], SDXL conditioning (text_embeds with time_ids)';
const INTEGERS = ['int32', 'int64'] as const;

function describeValue(value: ValueInfo): string {
  return `${value.type}[${value.shape.join(', ')}]`;
}

export function findInput(file: string, session: ModelSession, name: string, expected: string): ValueInfo {
  const input = session.inputs.find((candidate) => candidate.name === name);
  if (input) return input;
  const found = session.inputs.map((candidate) => `${candidate.name}: ${describeValue(candidate)}`).join(', ');
  throw new ModelError(
    'model_contract_mismatch',
    `${file} has no input "${name}" (expected ${expected}; found ${found})`,
    {
      file,
      input: name,
      expected,
      found,
    },
  );
}

export function expectType<T extends string>(file: string, value: ValueInfo, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value.type)) return value.type as T;
  throw new ModelError(
    'model_contract_mismatch',
    `${file} input "${value.name}" is ${value.type}; expected one of ${allowed.join(', ')}`,
    { file, input: value.name, expected: allowed, found: value.type },
  );
}

function lastDim(value: ValueInfo | undefined): number | undefined {
  const size = value?.shape.at(-1);
  return typeof size === 'number' ? size : undefined;
}

function outputNamed(session: ModelSession, preferred: string): string {
  return (session.outputs.find((output) => output.name === preferred) ?? session.outputs[0]).name;
}

export function rejectUnknownInputs(file: string, session: ModelSession, known: readonly string[]): void {
  const unknown = session.inputs.filter((input) => !known.includes(input.name));
  if (unknown.length === 0) return;
  throw new ModelError(
    'model_contract_mismatch',
    `${file} has inputs the engine cannot feed: ${unknown.map((input) => input.name).join(', ')} (expected only ${known.join(', ')})`,
    { file, unexpected: unknown.map((input) => input.name) },
  );
}

const HIDDEN_STATE_OUTPUT = /^hidden_states\.(\d+)$/;

/** The `hidden_states.N` outputs of a text encoder graph, in layer order. */
function layerOutputs(session: ModelSession): string[] {
  return session.outputs
    .map((output) => Number(HIDDEN_STATE_OUTPUT.exec(output.name)?.[1]))
    .filter((index) => Number.isInteger(index))
    .sort((a, b) => a - b)
    .map((index) => `hidden_states.${index}`);
}

/** The penultimate of the `hidden_states.N` outputs Optimum exports for SDXL's text encoders. */
function penultimateHiddenStates(file: string, session: ModelSession): string {
  const layers = layerOutputs(session);
  if (layers.length >= 2) return layers[layers.length - 2];
  const found = session.outputs.map((output) => output.name).join(', ');
  throw new ModelError(
    'model_contract_mismatch',
    `${file} must output per-layer hidden states (hidden_states.0 … hidden_states.N) for SDXL's penultimate-layer embedding; found ${found}`,
    { file, expected: 'hidden_states.N outputs', found },
  );
}

/** `penultimate`: read `hidden_states[-2]` as SDXL does, rather than `last_hidden_state`. */
export function readTextEncoderContract(file: string, session: ModelSession, penultimate = false): TextEncoderContract {
  rejectUnknownInputs(file, session, ['input_ids']);
  const inputIds = findInput(file, session, 'input_ids', 'int32 or int64 [batch, 77]');
  const hiddenStatesOutput = penultimate
    ? penultimateHiddenStates(file, session)
    : outputNamed(session, 'last_hidden_state');
  const hiddenStates = session.outputs.find((output) => output.name === hiddenStatesOutput);
  return {
    inputIdsType: expectType(file, inputIds, INTEGERS),
    hiddenStatesOutput,
    hiddenSize: lastDim(hiddenStates),
    pooledOutput: session.outputs.find((output) => output.name === 'text_embeds')?.name,
    layerOutputs: layerOutputs(session),
    penultimate,
  };
}

export function readUnetContract(file: string, session: ModelSession): UnetContract {
  rejectUnknownInputs(file, session, [
    'sample',
    'timestep',
    'encoder_hidden_states',
    'timestep_cond',
    'text_embeds',
    'time_ids',
  ]);
  const sample = findInput(file, session, 'sample', 'float32 or float16 [batch, 4, height, width]');
  const timestep = findInput(file, session, 'timestep', 'int64, int32, float32 or float16, shape [batch] or rank 0');
  const states = findInput(file, session, 'encoder_hidden_states', 'float32 or float16 [batch, 77, dim]');
  const timestepCond = session.inputs.find((input) => input.name === 'timestep_cond');
  const hasTextTime = session.inputs.some((input) => input.name === 'text_embeds' || input.name === 'time_ids');
  const timeIds = hasTextTime ? findInput(file, session, 'time_ids', SDXL_CONDITIONING) : undefined;
  if (timestep.shape.length > 1) {
    throw new ModelError(
      'model_contract_mismatch',
      `${file} input "timestep" has rank ${timestep.shape.length}; expected [batch] or a rank-0 scalar`,
      { file, input: 'timestep', expected: '[batch] or []', found: timestep.shape },
    );
  }
  return {
    sampleType: expectType(file, sample, FLOATS),
    encoderHiddenStatesType: expectType(file, states, FLOATS),
    timestepType: expectType(file, timestep, [...INTEGERS, ...FLOATS]),
    timestepIsScalar: timestep.shape.length === 0,
    timestepCondDim: timestepCond ? lastDim(timestepCond) : undefined,
    timestepCondType: timestepCond ? expectType(file, timestepCond, FLOATS) : undefined,
    outputName: outputNamed(session, 'out_sample'),
    crossAttentionDim: lastDim(states),
    sequenceLength: typeof states.shape[1] === 'number' ? states.shape[1] : undefined,
    textTime: timeIds
      ? {
          // SDXL's two conditioning inputs come as a pair; findInput names the one a broken export lacks.
          textEmbedsType: expectType(file, findInput(file, session, 'text_embeds', SDXL_CONDITIONING), FLOATS),
          timeIdsType: expectType(file, timeIds, FLOATS),
          timeIdsWidth: lastDim(timeIds),
        }
      : undefined,
  };
}

export function readVaeDecoderContract(file: string, session: ModelSession): VaeDecoderContract {
  rejectUnknownInputs(file, session, ['latent_sample']);
  const latent = findInput(file, session, 'latent_sample', 'float32 or float16 [batch, 4, height, width]');
  return { latentType: expectType(file, latent, FLOATS), outputName: outputNamed(session, 'sample') };
}
