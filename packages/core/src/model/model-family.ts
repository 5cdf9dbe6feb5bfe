import type { TextEncoderContract, UnetContract } from './component-contract.ts';

/** Stable Diffusion generations the engine tells apart, because each wants different defaults. */
export type ModelFamily = 'sd1' | 'sd2' | 'sdxl' | 'sd-turbo' | 'lcm';

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
 * pipeline in diffusers: LCM 4 steps at guidance 8.5 (`LatentConsistencyModelPipeline`), SD-Turbo and SDXL-Turbo 1
 * step without guidance (their model cards), SDXL guidance 5 (`StableDiffusionXLPipeline`), SD 1.x/2.x 7.5; step counts
 * are lower than diffusers' 50, which is more than these samplers need.
 */
export function detectModelFamily(evidence: FamilyEvidence): FamilyDetection {
  const { unet, textEncoders, schedulerConfig, padToken } = evidence;
  if (unet.timestepCondDim !== undefined || schedulerConfig._class_name === 'LCMScheduler') {
    return {
      family: 'lcm',
      reason: 'the UNet takes a guidance embedding (timestep_cond) or the scheduler is LCMScheduler',
      defaults: { steps: 4, guidance: 8.5 },
    };
  }
  if (unet.textTime) {
    const turbo = schedulerConfig.timestep_spacing === 'trailing';
    return {
      family: 'sdxl',
      reason: `two text encoders and a UNet taking text_embeds and time_ids${turbo ? ', trailing spacing (SDXL-Turbo)' : ''}`,
      defaults: turbo ? { steps: 1, guidance: 0 } : { steps: 30, guidance: 5 },
    };
  }
  if (schedulerConfig.timestep_spacing === 'trailing') {
    return {
      family: 'sd-turbo',
      reason: 'the scheduler uses trailing timestep spacing, as adversarially distilled few-step models ship',
      defaults: { steps: 1, guidance: 0 },
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
