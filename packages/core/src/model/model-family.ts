import type { TextEncoderContract, UnetContract } from './component-contract.ts';

/** Stable Diffusion generations the engine tells apart, because each wants different defaults. */
export type ModelFamily = 'sd1' | 'sd2' | 'sdxl' | 'lcm';

/** What a request gets when it leaves a setting out. */
export interface GenerationDefaults {
  steps: number;
  guidance: number;
}

export interface FamilyDetection {
  family: ModelFamily;
  /** Why: the facts of the model that decided it, for `stipple info` and logs. */
  reason: string;
  defaults: GenerationDefaults;
}

interface FamilyEvidence {
  unet: UnetContract;
  textEncoders: readonly TextEncoderContract[];
  schedulerConfig: Record<string, unknown>;
  padToken: string | undefined;
}

/**
 * Detects the family from the graphs and configs, never from folder names. Defaults follow each family's reference
 * pipeline in diffusers: LCM 4 steps at guidance 8.5 (`LatentConsistencyModelPipeline`; an LCM-LoRA 1), SDXL guidance 5
 * (`StableDiffusionXLPipeline`), SD 1.x/2.x 7.5; step counts are lower than diffusers' 50, which is more than these
 * samplers need. Trailing timestep spacing does not make a model distilled: zero-terminal-SNR models and fine-tunes
 * ship it too (Lin et al. 2023, §3.3), and SD-Turbo's configs hold nothing else that sets it apart, so a distilled
 * model declares its few-step defaults in `stipple.json` (see `readModelDefaults`).
 */
export function detectModelFamily(evidence: FamilyEvidence): FamilyDetection {
  const { unet, textEncoders, schedulerConfig, padToken } = evidence;
  if (unet.timestepCondDim !== undefined) {
    return {
      family: 'lcm',
      reason: 'the UNet takes a guidance embedding (timestep_cond)',
      defaults: { steps: 4, guidance: 8.5 },
    };
  }
  if (schedulerConfig._class_name === 'LCMScheduler') {
    // An LCM-LoRA fused into an ordinary UNet: no guidance embedding, so guidance would be real CFG, which LCM
    // over-saturates above 1–2 (diffusers' LCM-LoRA guide uses guidance_scale 1.0, i.e. one UNet pass).
    return {
      family: 'lcm',
      reason: 'the scheduler is LCMScheduler and the UNet has no guidance embedding (an LCM-LoRA fused export)',
      defaults: { steps: 4, guidance: 1 },
    };
  }
  if (unet.textTime) {
    return {
      family: 'sdxl',
      reason:
        textEncoders.length === 1
          ? 'text_encoder_2 alone and a UNet taking text_embeds and time_ids (an SDXL refiner)'
          : 'two text encoders and a UNet taking text_embeds and time_ids',
      defaults: { steps: 30, guidance: 5 },
    };
  }
  const sd2Facts = [
    schedulerConfig.prediction_type === 'v_prediction' && 'v-prediction',
    textEncoders[0].hiddenSize === 1024 && 'a 1024-wide OpenCLIP text encoder',
    padToken === '!' && 'the "!" pad token',
  ].filter(Boolean);
  if (sd2Facts.length > 0) {
    return {
      family: 'sd2',
      reason: `Stable Diffusion 2.x: ${sd2Facts.join(', ')}`,
      defaults: { steps: 25, guidance: 7.5 },
    };
  }
  return {
    family: 'sd1',
    reason: 'Stable Diffusion 1.x: epsilon prediction, end-token padding',
    defaults: { steps: 25, guidance: 7.5 },
  };
}
