"""The fixture variants: which export convention each one reproduces."""

from __future__ import annotations

from dataclasses import dataclass, field

from bpe_vocab import EOS_TOKEN

# Dynamic-axis names: Optimum's (the default) and diffusers' old conversion script's.
OPTIMUM_AXES = {
    "batch": "batch_size",
    "sequence": "sequence_length",
    "steps": "steps",
    "height": "height",
    "width": "width",
    "height_latent": "height_latent",
    "width_latent": "width_latent",
}
DIFFUSERS_SCRIPT_AXES = {
    "batch": "batch",
    "sequence": "sequence",
    "steps": "batch",
    "height": "height",
    "width": "width",
    "height_latent": "height",
    "width_latent": "width",
}


@dataclass(frozen=True)
class TextEncoder2:
    """SDXL's second text encoder (CLIPTextModelWithProjection, OpenCLIP bigG-like) and tokenizer_2."""

    hidden: int = 48
    heads: int = 3
    layers: int = 2
    act: str = "gelu"
    projection_dim: int = 40  # text_embeds width (bias-free text_projection)
    pad_token: str = "!"  # SDXL's tokenizer_2 pads with "!" (id 0)


@dataclass(frozen=True)
class Variant:
    name: str
    index: int  # seeds are derived from it
    summary: str
    input_ids_dtype: str = "int32"  # "int32" | "int64"
    timestep: str = "int64"  # "int64" | "float32" | "float16" | "int64-rank0"
    fp16: bool = False
    scheduler: str = "sd15-pndm"  # key in layout.SCHEDULERS
    pipeline_class: str = "ORTStableDiffusionPipeline"
    text_hidden: int = 32
    text_heads: int = 2
    text_act: str = "quick_gelu"
    text_layers: int = 1
    use_linear_projection: bool = False
    scaling_factor: float = 0.18215
    pad_token: str = EOS_TOKEN
    sample_size: int = 8  # latent size; the VAE's sample_size is 8x this
    opset: int = 17
    vae_encoder: bool = False
    # "latent_sample" (the mean, used as is) or "latent_parameters" (Optimum's mean ⊕ log-variance, sampled)
    vae_encoder_output: str = "latent_sample"
    # 9: an inpainting UNet (latents ⊕ mask ⊕ masked-image latents), as SD 1.5 inpainting
    unet_in_channels: int = 4
    lcm: bool = False
    null_entries: bool = False  # feature_extractor/safety_checker null entries in model_index.json
    external_data: dict[str, str] = field(default_factory=dict)  # component -> external data file name
    axes: dict[str, str] = field(default_factory=lambda: dict(OPTIMUM_AXES))
    # SDXL: text_encoder_2 + tokenizer_2, both encoders output hidden_states.*, and the unet
    # takes text_embeds + time_ids (addition_embed_type "text_time")
    text_encoder_2: TextEncoder2 | None = None
    addition_time_embed_dim: int = 8
    num_time_ids: int = 6
    force_zeros_for_empty_prompt: bool | None = None  # model_index.json key (SDXL base: true)
    vae_force_upcast: bool | None = None  # vae config key (SDXL's VAE: true)
    # An fp16 VAE decoder whose activations pass fp16's range, with an fp32 copy in vae_decoder_fp32/
    vae_overflow: bool = False
    # False: an SDXL refiner, text_encoder_2/tokenizer_2 only (model_index.json lists text_encoder/tokenizer as null)
    first_text_encoder: bool = True
    requires_aesthetics_score: bool | None = None  # model_index.json key (SDXL refiner: true, 5 time ids)
    # tokenizer/ holds only tokenizer.json, as transformers' CLIPTokenizerFast saves it (tokenizer_json.py)
    tokenizer_json_only: bool = False

    @property
    def seed(self) -> int:
        return 1234 + 10 * self.index

    @property
    def xl(self) -> bool:
        return self.text_encoder_2 is not None

    @property
    def cross_attention_dim(self) -> int:
        """SDXL concatenates both encoders' penultimate hidden states (the refiner has only the second)."""
        first = self.text_hidden if self.first_text_encoder else 0
        return first + (self.text_encoder_2.hidden if self.text_encoder_2 else 0)


VARIANTS: list[Variant] = [
    Variant(
        name="sd15-int32",
        index=1,
        summary="Optimum-style SD 1.5 export: int32 input_ids, int64 timestep [batch], PNDM, with vae_encoder",
        scheduler="sd15-pndm",
        vae_encoder=True,
        null_entries=True,
    ),
    Variant(
        name="sd15-int64-float-timestep",
        index=2,
        summary="diffusers' old conversion script: int64 input_ids, float32 timestep [batch], DDIM, opset 14",
        input_ids_dtype="int64",
        timestep="float32",
        scheduler="sd15-ddim",
        opset=14,
        axes=dict(DIFFUSERS_SCRIPT_AXES),
    ),
    Variant(
        name="rank0-timestep",
        index=3,
        summary="rank-0 int64 timestep shared by the batch, EulerDiscrete",
        timestep="int64-rank0",
        scheduler="euler",
    ),
    Variant(
        name="sd2-v-prediction",
        index=4,
        summary="SD 2.x-like: text hidden 48 (= cross_attention_dim), pad token '!', v_prediction DDIM, "
        "vae scaling_factor 0.5, sample_size 12 (96 px), linear attention projections, gelu",
        text_hidden=48,
        text_heads=3,
        text_act="gelu",
        use_linear_projection=True,
        scheduler="sd21-ddim-v",
        scaling_factor=0.5,
        pad_token="!",
        sample_size=12,
        opset=14,
        null_entries=True,
    ),
    Variant(
        name="fp16",
        index=5,
        summary="float16 graph inputs/outputs and fp16 weights; float16 timestep [batch]",
        timestep="float16",
        fp16=True,
        scheduler="sd15-pndm",
    ),
    Variant(
        name="external-data",
        index=6,
        summary="unet weights in unet/model.onnx_data, text_encoder weights in text_encoder/weights.pb; "
        "EulerAncestral with SD-Turbo's keys (trailing spacing)",
        scheduler="turbo-euler-a",
        external_data={"unet": "model.onnx_data", "text_encoder": "weights.pb"},
    ),
    Variant(
        name="lcm",
        index=7,
        summary="latent consistency: unet timestep_cond [batch, 256] (time_cond_proj_dim 256), LCMScheduler",
        scheduler="lcm",
        pipeline_class="ORTLatentConsistencyModelPipeline",
        lcm=True,
    ),
    Variant(
        name="sdxl",
        index=8,
        summary="Optimum SDXL export: text_encoder (hidden 32) + text_encoder_2 with projection (hidden 48, "
        "text_embeds 40), 2 layers each with hidden_states.0-2 outputs, tokenizer_2 padding with '!'; unet "
        "cross_attention_dim 80 + text_embeds [batch, 40] + time_ids [batch, 6] (text_time); "
        "SDXL base's EulerDiscrete, vae scaling_factor 0.13025; vae_encoder with Optimum's latent_parameters output",
        pipeline_class="ORTStableDiffusionXLPipeline",
        scheduler="euler",
        text_layers=2,
        text_encoder_2=TextEncoder2(),
        scaling_factor=0.13025,
        force_zeros_for_empty_prompt=True,
        vae_force_upcast=True,
        vae_encoder=True,
        vae_encoder_output="latent_parameters",
    ),
    Variant(
        name="fp16-vae-upcast",
        index=9,
        summary="as fp16, with force_upcast: true and a VAE decoder whose activations pass fp16's range "
        "(NaN images in fp16), plus the same decoder in fp32 in vae_decoder_fp32/",
        timestep="float16",
        fp16=True,
        scheduler="sd15-pndm",
        vae_force_upcast=True,
        vae_overflow=True,
    ),
    Variant(
        name="sd15-inpainting",
        index=10,
        summary="SD 1.5 inpainting-like: unet in_channels 9 (latents, mask, masked-image latents), out 4; "
        "vae_encoder with Optimum's latent_parameters output (mean and log-variance, sampled); Euler",
        scheduler="euler",
        pipeline_class="ORTStableDiffusionInpaintPipeline",
        vae_encoder=True,
        vae_encoder_output="latent_parameters",
        unet_in_channels=9,
    ),
    Variant(
        name="lcm-lora",
        index=11,
        summary="SD 1.5 with LCM-LoRA fused in: an ordinary UNet (no timestep_cond, no time_cond_proj_dim) and the "
        "LCMScheduler config that LCMScheduler.from_config(SD 1.5's) saves",
        scheduler="sd15-lcm-lora",
    ),
    Variant(
        name="tokenizer-json",
        index=12,
        summary="sd15-like, tokenizer/ holding only tokenizer.json as transformers' CLIPTokenizerFast saves it",
        tokenizer_json_only=True,
    ),
    Variant(
        name="sdxl-refiner",
        index=13,
        summary="Optimum SDXL refiner export: text_encoder_2 (as sdxl's) and tokenizer_2 only, "
        "requires_aesthetics_score; unet cross_attention_dim 48 + text_embeds [batch, 40] + time_ids [batch, 5] "
        "(size, crop, aesthetic score); vae_encoder; SDXL's EulerDiscrete and VAE",
        pipeline_class="ORTStableDiffusionXLImg2ImgPipeline",
        scheduler="euler",
        first_text_encoder=False,
        text_encoder_2=TextEncoder2(),
        num_time_ids=5,
        scaling_factor=0.13025,
        force_zeros_for_empty_prompt=False,
        requires_aesthetics_score=True,
        vae_force_upcast=True,
        vae_encoder=True,
    ),
]

# Broken fixtures for the engine's error paths: built from this variant's files.
BROKEN_BASE = "sd15-int32"
BROKEN = ["missing-unet", "corrupt-unet", "wrong-unet-input"]

# A copy of the base variant's files (without its vae_encoder) plus a tiny safety checker and its feature extractor
# (safety_checker.py), so the checker flags a known image of the base variant's (diffusers' goldens).
SAFETY_CHECKER_VARIANT = "safety-checker"
SAFETY_CHECKER_BASE = "sd15-int32"
