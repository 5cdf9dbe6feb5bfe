/**
 * Where an fp16 export keeps an fp32 copy of its VAE decoder: the `vae_decoder/` folder of an fp32 export of the same
 * weights (graph and config.json), renamed. Optimum has no convention for it; see docs/MODELS.md, "fp16 VAEs".
 */
export const VAE_DECODER_FP32 = 'vae_decoder_fp32';

export interface VaeUpcast {
  /** The component folder decoding uses: `vae_decoder`, or `vae_decoder_fp32` when the model asks for an upcast. */
  component: string;
  /**
   * diffusers' `AutoencoderKL.config.force_upcast` from `vae_decoder/config.json`: an fp16 VAE overflows, so decode in
   * fp32. Missing means true, as diffusers' default.
   */
  forceUpcast: boolean;
  /** Whether the folder has `vae_decoder_fp32/model.onnx`. */
  hasFp32Decoder: boolean;
}

/**
 * diffusers decodes in fp32 when `force_upcast` is set and the VAE is fp16 (`StableDiffusionXLPipeline.__call__`,
 * `needs_upcasting`). An ONNX graph has one precision, so the fp32 decoder is a second graph, used whenever the
 * config asks for an upcast and the folder provides one.
 */
export function vaeUpcast(vaeConfig: Record<string, unknown> | undefined, hasFp32Decoder: boolean): VaeUpcast {
  const forceUpcast = vaeConfig?.force_upcast !== false;
  return {
    component: forceUpcast && hasFp32Decoder ? VAE_DECODER_FP32 : 'vae_decoder',
    forceUpcast,
    hasFp32Decoder,
  };
}
