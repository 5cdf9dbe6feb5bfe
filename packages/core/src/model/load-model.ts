import { access } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { ModelSession, SessionFactory, SessionOptions } from '../backend/model-session.ts';
import { createOnnxSession } from '../backend/onnx-session.ts';
import { ModelError } from '../errors.ts';
import { type ClipTokenizer, loadClipTokenizer } from '../tokenizer/clip-tokenizer.ts';
import {
  readTextEncoderContract,
  readUnetContract,
  readVaeDecoderContract,
  type TextEncoderContract,
  type UnetContract,
  type VaeDecoderContract,
} from './component-contract.ts';
import { detectModelFamily, type FamilyDetection } from './model-family.ts';
import { hashModelWeights } from './model-hash.ts';
import { configNumber, readModelJson } from './read-model-json.ts';

/** diffusers' `AutoencoderKL` default `scaling_factor` (SD 1.x/2.x). */
export const DEFAULT_LATENT_SCALING_FACTOR = 0.18215;
/** diffusers' default spatial factor: 2 ** (len(block_out_channels) - 1) with four blocks. */
export const DEFAULT_VAE_SPATIAL_FACTOR = 8;
const DEFAULT_SAMPLE_SIZE_LATENT = 64;

/** A Stable Diffusion ONNX export, opened once: sessions are reused by every generation. */
export interface StableDiffusionModel {
  /** The folder's name, used in records and logs. */
  readonly id: string;
  readonly dir: string;
  /** SHA-256 over the weight files (see `hashModelWeights`). */
  readonly weightsHash: string;
  readonly family: FamilyDetection;
  readonly tokenizer: ClipTokenizer;
  readonly textEncoder: { readonly session: ModelSession; readonly contract: TextEncoderContract };
  readonly unet: { readonly session: ModelSession; readonly contract: UnetContract; readonly latentChannels: number };
  readonly vaeDecoder: {
    readonly session: ModelSession;
    readonly contract: VaeDecoderContract;
    /** Latents are divided by this before decoding (VAE config `scaling_factor`). */
    readonly scalingFactor: number;
    /** Pixels per latent cell along each axis; widths and heights must be multiples of it. */
    readonly spatialFactor: number;
  };
  /** The scheduler the model ships: its diffusers class and configuration. */
  readonly scheduler: { readonly className: string; readonly config: Record<string, unknown> };
  /** Native image size: the UNet's `sample_size` times the spatial factor. */
  readonly defaultSize: { readonly width: number; readonly height: number };
  readonly executionProviders: readonly string[];
  readonly hasVaeEncoder: boolean;
  release(): Promise<void>;
}

export interface LoadModelOptions extends SessionOptions {
  /** How ONNX sessions are opened; ONNX Runtime unless a test or another backend says otherwise. */
  sessionFactory?: SessionFactory;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function openComponent(dir: string, component: string, options: LoadModelOptions): Promise<ModelSession> {
  const file = join(dir, component, 'model.onnx');
  if (!(await exists(file))) {
    throw new ModelError(
      'model_file_missing',
      `${file} is missing; a Stable Diffusion ONNX export needs ${component}`,
      {
        path: file,
      },
    );
  }
  try {
    return await (options.sessionFactory ?? createOnnxSession)(file, options);
  } catch (error) {
    throw new ModelError(
      'model_file_corrupt',
      `${file} could not be opened by ONNX Runtime: ${(error as Error).message}`,
      {
        path: file,
      },
    );
  }
}

/** Opens a model folder in the Hugging Face Optimum / diffusers ONNX layout and checks every graph fits the engine. */
export async function loadModel(modelDir: string, options: LoadModelOptions = {}): Promise<StableDiffusionModel> {
  const dir = resolve(modelDir);
  if (!(await exists(dir))) {
    throw new ModelError('model_not_found', `model folder ${dir} does not exist`, { path: dir });
  }
  await readModelJson(join(dir, 'model_index.json'), true);
  const [schedulerConfig, unetConfig, vaeConfig, tokenizer] = await Promise.all([
    readModelJson(join(dir, 'scheduler', 'scheduler_config.json'), true),
    readModelJson(join(dir, 'unet', 'config.json')),
    readModelJson(join(dir, 'vae_decoder', 'config.json')),
    loadClipTokenizer(join(dir, 'tokenizer')),
  ]);
  const sessions = await Promise.allSettled(
    ['text_encoder', 'unet', 'vae_decoder'].map((component) => openComponent(dir, component, options)),
  );
  const opened = sessions.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = sessions.find((result) => result.status === 'rejected');
  if (failure) {
    await Promise.all(opened.map((session) => session.release()));
    throw failure.reason;
  }
  const [textEncoderSession, unetSession, vaeSession] = opened;
  try {
    const textEncoder = readTextEncoderContract(join(dir, 'text_encoder', 'model.onnx'), textEncoderSession);
    const unet = readUnetContract(join(dir, 'unet', 'model.onnx'), unetSession);
    const vaeDecoder = readVaeDecoderContract(join(dir, 'vae_decoder', 'model.onnx'), vaeSession);
    checkWidthsAgree(dir, textEncoder, unet);
    const blockCount = Array.isArray(vaeConfig?.block_out_channels) ? vaeConfig.block_out_channels.length : 4;
    const spatialFactor = vaeConfig ? 2 ** (blockCount - 1) : DEFAULT_VAE_SPATIAL_FACTOR;
    const sampleSize = configNumber(unetConfig, 'sample_size', DEFAULT_SAMPLE_SIZE_LATENT) * spatialFactor;
    return {
      id: basename(dir),
      dir,
      weightsHash: await hashModelWeights(dir),
      family: detectModelFamily({ unet, textEncoder, schedulerConfig, padToken: tokenizer.padToken }),
      tokenizer,
      textEncoder: { session: textEncoderSession, contract: textEncoder },
      unet: { session: unetSession, contract: unet, latentChannels: configNumber(unetConfig, 'in_channels', 4) },
      vaeDecoder: {
        session: vaeSession,
        contract: vaeDecoder,
        scalingFactor: configNumber(vaeConfig, 'scaling_factor', DEFAULT_LATENT_SCALING_FACTOR),
        spatialFactor,
      },
      scheduler: {
        className: String(schedulerConfig._class_name ?? 'EulerDiscreteScheduler'),
        config: schedulerConfig,
      },
      defaultSize: { width: sampleSize, height: sampleSize },
      executionProviders: options.executionProviders ?? ['cpu'],
      hasVaeEncoder: await exists(join(dir, 'vae_encoder', 'model.onnx')),
      release: async () => {
        await Promise.all(opened.map((session) => session.release()));
      },
    };
  } catch (error) {
    await Promise.all(opened.map((session) => session.release()));
    throw error;
  }
}

function checkWidthsAgree(dir: string, textEncoder: TextEncoderContract, unet: UnetContract): void {
  const { hiddenSize } = textEncoder;
  const { crossAttentionDim } = unet;
  if (hiddenSize === undefined || crossAttentionDim === undefined || hiddenSize === crossAttentionDim) return;
  throw new ModelError(
    'model_contract_mismatch',
    `${join(dir, 'unet', 'model.onnx')} input "encoder_hidden_states" is ${crossAttentionDim} wide but the text encoder produces ${hiddenSize}`,
    {
      file: join(dir, 'unet', 'model.onnx'),
      input: 'encoder_hidden_states',
      expected: hiddenSize,
      found: crossAttentionDim,
    },
  );
}
