import type { ModelSession, TensorType, ValueInfo } from '../backend/model-session.ts';
import { ModelError } from '../errors.ts';

/** What the pipeline must know about a component's graph to feed it: names, element types and ranks. */
export interface TextEncoderContract {
  inputIdsType: 'int32' | 'int64';
  hiddenStatesOutput: string;
  /** Width of the hidden states when the graph declares it. */
  hiddenSize: number | undefined;
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
}

export interface VaeDecoderContract {
  latentType: 'float32' | 'float16';
  outputName: string;
}

const FLOATS = ['float32', 'float16'] as const;
const INTEGERS = ['int32', 'int64'] as const;

function describeValue(value: ValueInfo): string {
  return `${value.type}[${value.shape.join(', ')}]`;
}

function findInput(file: string, session: ModelSession, name: string, expected: string): ValueInfo {
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

function expectType<T extends string>(file: string, value: ValueInfo, allowed: readonly T[]): T {
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

function rejectUnknownInputs(file: string, session: ModelSession, known: readonly string[]): void {
  const unknown = session.inputs.filter((input) => !known.includes(input.name));
  if (unknown.length === 0) return;
  const sdxl = unknown.some((input) => input.name === 'text_embeds' || input.name === 'time_ids');
  throw new ModelError(
    sdxl ? 'unsupported_model_family' : 'model_contract_mismatch',
    sdxl
      ? `${file} takes SDXL conditioning (text_embeds, time_ids); SDXL models are not supported yet`
      : `${file} has inputs the engine cannot feed: ${unknown.map((input) => input.name).join(', ')} (expected only ${known.join(', ')})`,
    { file, unexpected: unknown.map((input) => input.name) },
  );
}

export function readTextEncoderContract(file: string, session: ModelSession): TextEncoderContract {
  rejectUnknownInputs(file, session, ['input_ids']);
  const inputIds = findInput(file, session, 'input_ids', 'int32 or int64 [batch, 77]');
  const hiddenStatesOutput = outputNamed(session, 'last_hidden_state');
  const hiddenStates = session.outputs.find((output) => output.name === hiddenStatesOutput);
  return {
    inputIdsType: expectType(file, inputIds, INTEGERS),
    hiddenStatesOutput,
    hiddenSize: lastDim(hiddenStates),
  };
}

export function readUnetContract(file: string, session: ModelSession): UnetContract {
  rejectUnknownInputs(file, session, ['sample', 'timestep', 'encoder_hidden_states', 'timestep_cond']);
  const sample = findInput(file, session, 'sample', 'float32 or float16 [batch, 4, height, width]');
  const timestep = findInput(file, session, 'timestep', 'int64, int32, float32 or float16, shape [batch] or rank 0');
  const states = findInput(file, session, 'encoder_hidden_states', 'float32 or float16 [batch, 77, dim]');
  const timestepCond = session.inputs.find((input) => input.name === 'timestep_cond');
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
  };
}

export function readVaeDecoderContract(file: string, session: ModelSession): VaeDecoderContract {
  rejectUnknownInputs(file, session, ['latent_sample']);
  const latent = findInput(file, session, 'latent_sample', 'float32 or float16 [batch, 4, height, width]');
  return { latentType: expectType(file, latent, FLOATS), outputName: outputNamed(session, 'sample') };
}
