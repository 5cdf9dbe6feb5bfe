import { describe, expect, it } from 'vitest';
import type { TextEncoderContract, UnetContract } from './component-contract.ts';
import { detectModelFamily } from './model-family.ts';

const UNET: UnetContract = {
  sampleType: 'float32',
  encoderHiddenStatesType: 'float32',
  timestepType: 'int64',
  timestepIsScalar: false,
  timestepCondDim: undefined,
  timestepCondType: undefined,
  outputName: 'out_sample',
  crossAttentionDim: 768,
  sequenceLength: undefined,
  textTime: undefined,
};
const ENCODER: TextEncoderContract = {
  inputIdsType: 'int32',
  hiddenStatesOutput: 'last_hidden_state',
  hiddenSize: 768,
  pooledOutput: undefined,
  layerOutputs: [],
  penultimate: false,
};
const SDXL_UNET: UnetContract = {
  ...UNET,
  textTime: { textEmbedsType: 'float32', timeIdsType: 'float32', timeIdsWidth: 6 },
};

function detect(schedulerConfig: Record<string, unknown>, unet = UNET) {
  return detectModelFamily({ unet, textEncoders: [ENCODER, ENCODER], schedulerConfig, padToken: '<|endoftext|>' });
}

describe('detectModelFamily', () => {
  it('does not take trailing timestep spacing for a distilled model', () => {
    const trailing = { _class_name: 'EulerDiscreteScheduler', timestep_spacing: 'trailing' };
    expect(detect(trailing)).toMatchObject({ family: 'sd1', defaults: { steps: 25, guidance: 7.5 } });
    expect(detect(trailing, SDXL_UNET)).toMatchObject({ family: 'sdxl', defaults: { steps: 30, guidance: 5 } });
    expect(detect({ ...trailing, rescale_betas_zero_snr: true, prediction_type: 'v_prediction' })).toMatchObject({
      family: 'sd2',
      defaults: { steps: 25, guidance: 7.5 },
    });
  });
});

describe('detectModelFamily for LCM', () => {
  it('gives an LCM-LoRA fused export (LCMScheduler, no timestep_cond) guidance 1', () => {
    expect(detect({ _class_name: 'LCMScheduler' })).toMatchObject({
      family: 'lcm',
      defaults: { steps: 4, guidance: 1 },
    });
  });

  it('keeps guidance 8.5 for a distilled LCM, whose UNet embeds the guidance', () => {
    const lcmUnet = { ...UNET, timestepCondDim: 256, timestepCondType: 'float32' as const };
    expect(detect({ _class_name: 'LCMScheduler' }, lcmUnet)).toMatchObject({ defaults: { steps: 4, guidance: 8.5 } });
  });
});
