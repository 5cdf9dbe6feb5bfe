import { access } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { ModelSession, SessionFactory, SessionOptions } from '../backend/model-session.ts';
import { createOnnxSession } from '../backend/onnx-session.ts';
import { ExecutionProviderError, ModelError, ValidationError } from '../errors.ts';
import { loadSafetyChecker, type SafetyChecker } from '../safety/safety-checker.ts';
import { type ClipTokenizer, loadClipTokenizer } from '../tokenizer/clip-tokenizer.ts';
import { checkConditioningAgrees } from './check-conditioning.ts';
import {
  readTextEncoderContract,
  readUnetContract,
  readVaeDecoderContract,
  type TextEncoderContract,
  type UnetContract,
  type VaeDecoderContract,
} from './component-contract.ts';
import { readModelDefaults } from './model-defaults.ts';
import { detectModelFamily, type FamilyDetection, type GenerationDefaults } from './model-family.ts';
import { hashModelWeights } from './model-hash.ts';
import { type ModelLoadReport, timed } from './model-load-report.ts';
import { configNumber, readModelJson } from './read-model-json.ts';
import { readVaeEncoderContract, type VaeEncoder } from './vae-encoder.ts';
import { readVaeLatentScaling, type VaeLatentScaling } from './vae-latent-scaling.ts';
import { VAE_DECODER_FP32, type VaeUpcast, vaeUpcast } from './vae-upcast.ts';
import { defaultCacheDir, hashCacheFile } from './weights-hash-cache.ts';

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
  /** Steps and guidance a request gets when it leaves them out: the family's, overridden by `stipple.json`. */
  readonly defaults: GenerationDefaults;
  /** The first text encoder's tokenizer: its window is the prompt window. */
  readonly tokenizer: ClipTokenizer;
  /**
   * One for SD 1.x/2.x; two for SDXL (`text_encoder`, then `text_encoder_2`, whose pooled output conditions the UNet);
   * `text_encoder_2` alone for SDXL's refiner.
   */
  readonly textEncoders: readonly TextEncoder[];
  /** SDXL's `force_zeros_for_empty_prompt`: no negative prompt means zero embeddings rather than encoding "". */
  readonly forceZerosForEmptyPrompt: boolean;
  /**
   * SDXL's refiner (`requires_aesthetics_score` in `model_index.json`): its `time_ids` carry an aesthetic score in
   * place of the target size, and it refines an existing image, so every request needs `image`.
   */
  readonly requiresAestheticsScore: boolean;
  readonly unet: {
    readonly session: ModelSession;
    readonly contract: UnetContract;
    /** Channels of the latents the UNet denoises and the VAE decodes (`out_channels`; 4 for SD). */
    readonly latentChannels: number;
    /**
     * `in_channels`: the latent channels, or for an inpainting UNet (SD 1.5/2 inpainting, SDXL inpainting) twice
     * them plus one, the latents ⊕ the mask ⊕ the masked image's latents (diffusers' `StableDiffusionInpaintPipeline`).
     */
    readonly inputChannels: number;
    /** An inpainting UNet (9 input channels for SD): every request needs `image` and `mask`. */
    readonly inpainting: boolean;
  };
  /** The VAE decoder and how latents map into its space (`scaling_factor`, `shift_factor`, `latents_mean`/`std`). */
  readonly vaeDecoder: Readonly<VaeLatentScaling> & {
    readonly session: ModelSession;
    /** Which decoder runs (`vae_decoder` or `vae_decoder_fp32`), whether the config forces an upcast, and whether an fp32 decoder exists. */
    readonly upcast: VaeUpcast;
    readonly contract: VaeDecoderContract;
    /** Pixels per latent cell along each axis; widths and heights must be multiples of it. */
    readonly spatialFactor: number;
  };
  /** The scheduler the model ships: its diffusers class and configuration. */
  readonly scheduler: { readonly className: string; readonly config: Record<string, unknown> };
  /** Native image size: the UNet's `sample_size` times the spatial factor. */
  readonly defaultSize: { readonly width: number; readonly height: number };
  /**
   * The execution providers the model runs on: those asked for, less any that could not start and were fallen back
   * from (`cuda,cpu` on a machine without CUDA runs on `cpu`).
   */
  readonly executionProviders: readonly string[];
  /** Why a provider was fallen back from, one line each; every generation's record carries them as warnings. */
  readonly providerFallbacks: readonly string[];
  readonly hasVaeEncoder: boolean;
  /**
   * The VAE encoder (`vae_encoder/model.onnx`), which image-to-image and inpainting need: opened on first use and kept,
   * so a model used only for text-to-image never loads it. Fails with `model_file_missing` when the folder has none.
   */
  vaeEncoder(): Promise<VaeEncoder>;
  /** The folder's image safety checker (`safety_checker/` with `feature_extractor/`), when it has one. */
  readonly safetyChecker: SafetyChecker | undefined;
  /** Load time by stage and how the weights were hashed. */
  readonly load: ModelLoadReport;
  release(): Promise<void>;
}

export interface TextEncoder {
  /** Its folder: `text_encoder` or `text_encoder_2`. */
  readonly name: string;
  readonly session: ModelSession;
  readonly contract: TextEncoderContract;
  readonly tokenizer: ClipTokenizer;
}

export interface LoadModelOptions extends SessionOptions {
  /** How ONNX sessions are opened; ONNX Runtime unless a test or another backend says otherwise. */
  sessionFactory?: SessionFactory;
  /**
   * Where weight digests are cached between loads (keyed by each file's size and mtime; see `weights-hash-cache.ts`).
   * Default `$XDG_CACHE_HOME/stipple`, else `~/.cache/stipple`; `null` reads every weight file on every load.
   */
  hashCacheDir?: string | null;
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
    // A bad option (an unknown execution provider) is the caller's error, a provider that cannot start the machine's:
    // neither is the file's.
    if (error instanceof ValidationError || error instanceof ExecutionProviderError) throw error;
    throw new ModelError(
      'model_file_corrupt',
      `${file} could not be opened by ONNX Runtime: ${(error as Error).message}`,
      {
        path: file,
      },
    );
  }
}

/**
 * The tokenizer beside text encoder `encoderName`, its window clamped to the encoder's position embeddings
 * (`max_position_embeddings` in its config.json, CLIPTextConfig's 77 when absent).
 */
async function loadTokenizerFor(dir: string, encoderName: string): Promise<ClipTokenizer> {
  const encoderConfig = await readModelJson(join(dir, encoderName, 'config.json'));
  const positions = encoderConfig?.max_position_embeddings;
  const contextLength = Number.isInteger(positions) && (positions as number) >= 2 ? (positions as number) : undefined;
  return loadClipTokenizer(join(dir, encoderName.replace('text_encoder', 'tokenizer')), { contextLength });
}

/**
 * The text encoders a folder has, in the order their hidden states are joined: SD's `text_encoder`; SDXL's
 * `text_encoder` and `text_encoder_2`; `text_encoder_2` alone for SDXL's refiner, which conditions on the second
 * encoder only (diffusers' `StableDiffusionXLImg2ImgPipeline.encode_prompt` with `text_encoder` None).
 */
async function textEncoderNames(dir: string): Promise<string[]> {
  const [first, second] = await Promise.all([exists(join(dir, 'text_encoder')), exists(join(dir, 'text_encoder_2'))]);
  if (!second) return ['text_encoder'];
  return first ? ['text_encoder', 'text_encoder_2'] : ['text_encoder_2'];
}

const MAX_THREADS = 1024;

function checkThreads(field: string, value: number | undefined): void {
  if (value === undefined || (Number.isInteger(value) && value >= 0 && value <= MAX_THREADS)) return;
  throw new ValidationError(
    `invalid_${field}`,
    `${field} ${value} is out of range; use an integer from 0 (ONNX Runtime's choice) to ${MAX_THREADS}`,
    { field, value, min: 0, max: MAX_THREADS },
  );
}

function checkDeviceId(value: number | undefined): void {
  if (value === undefined || (Number.isInteger(value) && value >= 0)) return;
  throw new ValidationError(
    'invalid_device_id',
    `device_id ${value} is not a GPU ordinal; use an integer of at least 0 (0 is the first GPU this process sees)`,
    { field: 'device_id', value },
  );
}

/** Opens a model folder in the Hugging Face Optimum / diffusers ONNX layout and checks every graph fits the engine. */
export async function loadModel(modelDir: string, options: LoadModelOptions = {}): Promise<StableDiffusionModel> {
  checkThreads('intra_op_threads', options.intraOpThreads);
  checkThreads('inter_op_threads', options.interOpThreads);
  checkDeviceId(options.deviceId);
  const started = performance.now();
  const dir = resolve(modelDir);
  if (!(await exists(dir))) {
    throw new ModelError('model_not_found', `model folder ${dir} does not exist`, { path: dir });
  }
  const modelIndex = await readModelJson(join(dir, 'model_index.json'), true);
  const encoderNames = await textEncoderNames(dir);
  const isXl = encoderNames.includes('text_encoder_2');
  const configs = await timed(() =>
    Promise.all([
      readModelJson(join(dir, 'scheduler', 'scheduler_config.json'), true),
      readModelJson(join(dir, 'unet', 'config.json')),
      readModelJson(join(dir, 'vae_decoder', 'config.json')),
      exists(join(dir, VAE_DECODER_FP32, 'model.onnx')),
      ...encoderNames.map((name) => loadTokenizerFor(dir, name)),
    ]),
  );
  const [schedulerConfig, unetConfig, vaeConfig, hasFp32Decoder, ...tokenizers] = configs.value;
  const upcast = vaeUpcast(vaeConfig, hasFp32Decoder as boolean);
  const components = ['unet', upcast.component, ...encoderNames];
  const cacheDir = options.hashCacheDir === undefined ? defaultCacheDir() : options.hashCacheDir;
  const cacheFile = cacheDir === null ? undefined : hashCacheFile(cacheDir, dir);
  // Reading the weights overlaps with ONNX Runtime parsing them. Awaited below once the sessions are open; a failure
  // to open one is the error a caller sees, so the hash's own outcome is then not needed.
  const hashing = timed(() => hashModelWeights(dir, cacheFile));
  hashing.catch(() => undefined);
  const checking = timed(() => loadSafetyChecker(dir, (component) => openComponent(dir, component, options)));
  checking.catch(() => undefined); // settled below, after the other sessions
  const { value: sessions, ms: sessionsMs } = await timed(() =>
    Promise.allSettled(components.map((component) => openComponent(dir, component, options))),
  );
  const [checker] = await Promise.allSettled([checking]);
  const opened = sessions.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const safetyChecker = checker.status === 'fulfilled' ? checker.value.value : undefined;
  const everySession = safetyChecker ? [...opened, safetyChecker.session] : opened;
  const releaseAll = () => Promise.all(everySession.map((session) => session.release()));
  const failure = [...sessions, checker].find((result) => result.status === 'rejected');
  if (failure) {
    await releaseAll();
    throw failure.reason;
  }
  const [unetSession, vaeSession, ...encoderSessions] = opened;
  let encoder: Promise<VaeEncoder> | undefined;
  try {
    const textEncoders = encoderSessions.map((session, i) => ({
      name: encoderNames[i],
      session,
      contract: readTextEncoderContract(join(dir, encoderNames[i], 'model.onnx'), session, isXl),
      tokenizer: tokenizers[i] as ClipTokenizer,
    }));
    const unet = readUnetContract(join(dir, 'unet', 'model.onnx'), unetSession);
    const vaeDecoder = readVaeDecoderContract(join(dir, upcast.component, 'model.onnx'), vaeSession);
    // diffusers reads `requires_aesthetics_score` in its SDXL image-to-image and inpainting pipelines only.
    const requiresAestheticsScore = isXl && modelIndex.requires_aesthetics_score === true;
    checkConditioningAgrees(dir, { textEncoders, xl: isXl, requiresAestheticsScore }, unet);
    const blockCount = Array.isArray(vaeConfig?.block_out_channels) ? vaeConfig.block_out_channels.length : 4;
    const spatialFactor = vaeConfig ? 2 ** (blockCount - 1) : DEFAULT_VAE_SPATIAL_FACTOR;
    const sampleSize = configNumber(unetConfig, 'sample_size', DEFAULT_SAMPLE_SIZE_LATENT) * spatialFactor;
    const { latentChannels, inputChannels } = unetChannels(join(dir, 'unet', 'config.json'), unetConfig);
    const family = detectModelFamily({
      unet,
      textEncoders: textEncoders.map((encoder) => encoder.contract),
      schedulerConfig,
      padToken: textEncoders[0].tokenizer.padToken,
    });
    const { value: weights, ms: weightsHashMs } = await hashing;
    const { digest, ...weightsHash } = weights;
    const defaults = await readModelDefaults(dir, family.defaults);
    const stagesMs = {
      configs: configs.ms,
      sessions: sessionsMs,
      weightsHash: weightsHashMs,
      total: performance.now() - started,
    };
    return {
      id: basename(dir),
      dir,
      weightsHash: digest,
      family,
      defaults,
      tokenizer: textEncoders[0].tokenizer,
      textEncoders,
      forceZerosForEmptyPrompt: modelIndex.force_zeros_for_empty_prompt === true,
      requiresAestheticsScore,
      unet: {
        session: unetSession,
        contract: unet,
        latentChannels,
        inputChannels,
        inpainting: inputChannels !== latentChannels,
      },
      vaeDecoder: {
        session: vaeSession,
        upcast,
        contract: vaeDecoder,
        ...readVaeLatentScaling(vaeConfig, latentChannels, join(dir, 'vae_decoder', 'config.json')),
        spatialFactor,
      },
      scheduler: {
        className: String(schedulerConfig._class_name ?? 'EulerDiscreteScheduler'),
        config: schedulerConfig,
      },
      defaultSize: { width: sampleSize, height: sampleSize },
      executionProviders: unetSession.executionProviders ?? options.executionProviders ?? ['cpu'],
      providerFallbacks: [...new Set(opened.flatMap((session) => session.providerFallbacks ?? []))],
      hasVaeEncoder: await exists(join(dir, 'vae_encoder', 'model.onnx')),
      vaeEncoder: () => {
        encoder ??= openComponent(dir, 'vae_encoder', options).then((session) => {
          const file = join(dir, 'vae_encoder', 'model.onnx');
          return { session, file, contract: readVaeEncoderContract(file, session) };
        });
        return encoder;
      },
      safetyChecker,
      load: {
        stagesMs,
        weightsHash,
        ...(safetyChecker && checker.status === 'fulfilled' && { safetyChecker: { ms: checker.value.ms } }),
      },
      release: async () => {
        await releaseAll();
        await encoder?.then(
          (opened) => opened.session.release(),
          () => undefined,
        );
      },
    };
  } catch (error) {
    await releaseAll();
    throw error;
  }
}

/**
 * The UNet's latent and input channels from its config.json: `out_channels` latents (default `in_channels`, else 4);
 * `in_channels` equal to them, or 2 × latents + 1 for an inpainting UNet. Anything else is refused at load.
 */
function unetChannels(
  file: string,
  config: Record<string, unknown> | undefined,
): { latentChannels: number; inputChannels: number } {
  const inputChannels = configNumber(config, 'in_channels', 4);
  const latentChannels = configNumber(config, 'out_channels', inputChannels);
  if (inputChannels === latentChannels || inputChannels === 2 * latentChannels + 1) {
    return { latentChannels, inputChannels };
  }
  throw new ModelError(
    'model_unsupported',
    `${file} has in_channels ${inputChannels} and out_channels ${latentChannels}; the engine runs UNets whose input is the latents (${latentChannels}) or, for inpainting, latents ⊕ mask ⊕ masked-image latents (${2 * latentChannels + 1})`,
    { file, inChannels: inputChannels, outChannels: latentChannels },
  );
}
