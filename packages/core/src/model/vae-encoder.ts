import type { ModelSession, ValueInfo } from '../backend/model-session.ts';
import { ModelError } from '../errors.ts';

/**
 * The outputs a VAE encoder export may have. `latent_sample`: a latent, already drawn (diffusers' old conversion
 * script) or the distribution's mean; used as it is. `latent_parameters` (Optimum) or `latent_dist`: the diagonal
 * Gaussian's parameters, mean and log-variance concatenated on the channel axis, sampled with the job's generator as
 * diffusers' `retrieve_latents(…, sample_mode="sample")` does.
 */
export const VAE_ENCODER_OUTPUTS = { sample: ['latent_sample'], parameters: ['latent_parameters', 'latent_dist'] };

export interface VaeEncoderContract {
  sampleType: 'float32' | 'float16';
  outputName: string;
  /** Whether the output is a latent (`sample`) or the distribution to sample one from (`parameters`). */
  output: 'sample' | 'parameters';
}

/** `vae_encoder/model.onnx`, opened the first time an image-to-image or inpainting request needs it. */
export interface VaeEncoder {
  readonly session: ModelSession;
  readonly contract: VaeEncoderContract;
  readonly file: string;
}

function describe(values: readonly ValueInfo[]): string {
  return values.map((value) => `${value.name}: ${value.type}[${value.shape.join(', ')}]`).join(', ');
}

export function readVaeEncoderContract(file: string, session: ModelSession): VaeEncoderContract {
  const sample = session.inputs.find((input) => input.name === 'sample');
  if (!sample || session.inputs.length !== 1 || (sample.type !== 'float32' && sample.type !== 'float16')) {
    const expected = 'one input "sample": float32 or float16 [batch, 3, height, width]';
    throw new ModelError(
      'model_contract_mismatch',
      `${file} must take ${expected}; found ${describe(session.inputs)}`,
      { file, input: 'sample', expected, found: describe(session.inputs) },
    );
  }
  for (const output of ['sample', 'parameters'] as const) {
    const name = session.outputs.find((value) => VAE_ENCODER_OUTPUTS[output].includes(value.name))?.name;
    if (name) return { sampleType: sample.type, outputName: name, output };
  }
  const expected = [...VAE_ENCODER_OUTPUTS.sample, ...VAE_ENCODER_OUTPUTS.parameters].join(', ');
  throw new ModelError(
    'model_contract_mismatch',
    `${file} has no output the engine reads (expected one of ${expected}; found ${describe(session.outputs)})`,
    { file, expected, found: describe(session.outputs) },
  );
}
