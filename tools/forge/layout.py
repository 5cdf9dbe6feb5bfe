"""The diffusers / Optimum ONNX folder layout: model_index.json and the per-component configs."""

from __future__ import annotations

from typing import Any

DIFFUSERS_VERSION = "0.30.0"
TRANSFORMERS_VERSION = "4.44.0"

# --- scheduler configs, as the corresponding Stable Diffusion releases ship them ----------

_SD_BETAS: dict[str, Any] = {
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "beta_start": 0.00085,
    "num_train_timesteps": 1000,
    "trained_betas": None,
}


def _sched(class_name: str, **keys: Any) -> dict[str, Any]:
    cfg = {"_class_name": class_name, "_diffusers_version": DIFFUSERS_VERSION, **_SD_BETAS, **keys}
    return {k: cfg[k] for k in ["_class_name", "_diffusers_version"] + sorted(k for k in cfg if not k.startswith("_"))}


# LCMScheduler's keys that LCM Dreamshaper and an LCM-LoRA-fused SD 1.5 write alike
_LCM_KEYS: dict[str, Any] = {
    "clip_sample": False,
    "clip_sample_range": 1.0,
    "dynamic_thresholding_ratio": 0.995,
    "original_inference_steps": 50,
    "prediction_type": "epsilon",
    "rescale_betas_zero_snr": False,
    "sample_max_value": 1.0,
    "steps_offset": 1,
    "thresholding": False,
    "timestep_scaling": 10.0,
    "timestep_spacing": "leading",
}

SCHEDULERS: dict[str, dict[str, Any]] = {
    # runwayml/stable-diffusion-v1-5
    "sd15-pndm": _sched(
        "PNDMScheduler",
        clip_sample=False,
        prediction_type="epsilon",
        set_alpha_to_one=False,
        skip_prk_steps=True,
        steps_offset=1,
        timestep_spacing="leading",
    ),
    # DDIMScheduler with SD 1.x keys
    "sd15-ddim": _sched(
        "DDIMScheduler",
        clip_sample=False,
        clip_sample_range=1.0,
        dynamic_thresholding_ratio=0.995,
        prediction_type="epsilon",
        rescale_betas_zero_snr=False,
        sample_max_value=1.0,
        set_alpha_to_one=False,
        steps_offset=1,
        thresholding=False,
        timestep_spacing="leading",
    ),
    # EulerDiscreteScheduler as SDXL-era exports write it (with PNDM/DDIM carry-over keys):
    # stabilityai/stable-diffusion-xl-base-1.0's scheduler_config.json
    "euler": _sched(
        "EulerDiscreteScheduler",
        clip_sample=False,
        interpolation_type="linear",
        prediction_type="epsilon",
        sample_max_value=1.0,
        set_alpha_to_one=False,
        skip_prk_steps=True,
        steps_offset=1,
        timestep_spacing="leading",
        use_karras_sigmas=False,
    ),
    # stabilityai/stable-diffusion-2-1 (768, v-prediction)
    "sd21-ddim-v": _sched(
        "DDIMScheduler",
        clip_sample=False,
        prediction_type="v_prediction",
        set_alpha_to_one=False,
        skip_prk_steps=True,
        steps_offset=1,
        timestep_spacing="leading",
    ),
    # stabilityai/sd-turbo's keys, with the ancestral Euler class
    "turbo-euler-a": _sched(
        "EulerAncestralDiscreteScheduler",
        clip_sample=False,
        interpolation_type="linear",
        prediction_type="epsilon",
        sample_max_value=1.0,
        set_alpha_to_one=False,
        skip_prk_steps=True,
        steps_offset=1,
        timestep_spacing="trailing",
        use_karras_sigmas=False,
    ),
    # SimianLuo/LCM_Dreamshaper_v7
    "lcm": _sched("LCMScheduler", **_LCM_KEYS, set_alpha_to_one=True),
    # SD 1.5 with LCM-LoRA fused in, saved after the LCM-LoRA recipe's
    # `pipe.scheduler = LCMScheduler.from_config(pipe.scheduler.config)`: what diffusers' save_config writes for
    # "sd15-pndm" (LCMScheduler's keys with SD 1.5's values; PNDM's skip_prk_steps carried over)
    "sd15-lcm-lora": _sched("LCMScheduler", **_LCM_KEYS, set_alpha_to_one=False, skip_prk_steps=True),
}


# --- model_index.json ----------------------------------------------------------------------


def model_index(
    pipeline_class: str,
    scheduler_class: str,
    has_vae_encoder: bool,
    null_entries: bool,
    xl: bool = False,
    force_zeros_for_empty_prompt: bool | None = None,
    first_text_encoder: bool = True,
    requires_aesthetics_score: bool | None = None,
    tokenizer_class: str = "CLIPTokenizer",
) -> dict[str, Any]:
    """With ``first_text_encoder`` false (SDXL's refiner), text_encoder and tokenizer are null entries, as the
    refiner's model_index.json has them."""
    index: dict[str, Any] = {
        "_class_name": pipeline_class,
        "_diffusers_version": DIFFUSERS_VERSION,
    }
    if null_entries:
        # what Optimum writes for a pipeline saved without safety checker / feature extractor
        index["feature_extractor"] = [None, None]
    if force_zeros_for_empty_prompt is not None:
        index["force_zeros_for_empty_prompt"] = force_zeros_for_empty_prompt
    if requires_aesthetics_score is not None:
        index["requires_aesthetics_score"] = requires_aesthetics_score
    if null_entries:
        index["requires_safety_checker"] = False
        index["safety_checker"] = [None, None]
    index["scheduler"] = ["diffusers", scheduler_class]
    index["text_encoder"] = ["optimum", "ORTModelTextEncoder"] if first_text_encoder else [None, None]
    if xl:
        index["text_encoder_2"] = ["optimum", "ORTModelTextEncoder"]
    index["tokenizer"] = ["transformers", tokenizer_class] if first_text_encoder else [None, None]
    if xl:
        index["tokenizer_2"] = ["transformers", "CLIPTokenizer"]
    index["unet"] = ["optimum", "ORTModelUnet"]
    index["vae_decoder"] = ["optimum", "ORTModelVaeDecoder"]
    if has_vae_encoder:
        index["vae_encoder"] = ["optimum", "ORTModelVaeEncoder"]
    return index


# --- component configs ---------------------------------------------------------------------


def text_encoder_config(
    *,
    vocab_size: int,
    hidden_size: int,
    intermediate_size: int,
    num_attention_heads: int,
    num_hidden_layers: int,
    hidden_act: str,
    bos_token_id: int,
    eos_token_id: int,
    pad_token_id: int,
    torch_dtype: str,
    architecture: str = "CLIPTextModel",
    projection_dim: int | None = None,
) -> dict[str, Any]:
    return {
        "architectures": [architecture],
        "attention_dropout": 0.0,
        "bos_token_id": bos_token_id,
        "dropout": 0.0,
        "eos_token_id": eos_token_id,
        "hidden_act": hidden_act,
        "hidden_size": hidden_size,
        "initializer_factor": 1.0,
        "initializer_range": 0.02,
        "intermediate_size": intermediate_size,
        "layer_norm_eps": 1e-05,
        "max_position_embeddings": 77,
        "model_type": "clip_text_model",
        "num_attention_heads": num_attention_heads,
        "num_hidden_layers": num_hidden_layers,
        "pad_token_id": pad_token_id,
        "projection_dim": hidden_size if projection_dim is None else projection_dim,
        "torch_dtype": torch_dtype,
        "transformers_version": TRANSFORMERS_VERSION,
        "vocab_size": vocab_size,
    }


def unet_config(
    *,
    sample_size: int,
    block_channels: int,
    cross_attention_dim: int,
    attention_head_dim: int,
    norm_num_groups: int,
    time_embedding_dim: int,
    use_linear_projection: bool,
    time_cond_proj_dim: int | None,
    addition_time_embed_dim: int | None = None,
    projection_class_embeddings_input_dim: int | None = None,
    in_channels: int = 4,
) -> dict[str, Any]:
    text_time: dict[str, Any] = {}
    if addition_time_embed_dim is not None:
        # SDXL: micro-conditioning on text_embeds + time_ids
        text_time = {
            "addition_embed_type": "text_time",
            "addition_embed_type_num_heads": 64,
            "addition_time_embed_dim": addition_time_embed_dim,
        }
    cfg = {
        "_class_name": "UNet2DConditionModel",
        "_diffusers_version": DIFFUSERS_VERSION,
        "act_fn": "silu",
        **text_time,
        "attention_head_dim": attention_head_dim,
        "block_out_channels": [block_channels],
        "center_input_sample": False,
        "cross_attention_dim": cross_attention_dim,
        "down_block_types": ["CrossAttnDownBlock2D"],
        "downsample_padding": 1,
        "flip_sin_to_cos": True,
        "freq_shift": 0,
        "in_channels": in_channels,
        "layers_per_block": 1,
        "mid_block_type": None,
        "norm_eps": 1e-05,
        "norm_num_groups": norm_num_groups,
        "out_channels": 4,
        "projection_class_embeddings_input_dim": projection_class_embeddings_input_dim,
        "sample_size": sample_size,
        "time_cond_proj_dim": time_cond_proj_dim,
        "time_embedding_dim": time_embedding_dim,
        "time_embedding_type": "positional",
        "up_block_types": ["CrossAttnUpBlock2D"],
        "upcast_attention": False,
        "use_linear_projection": use_linear_projection,
    }
    if projection_class_embeddings_input_dim is None:
        del cfg["projection_class_embeddings_input_dim"]
    return cfg


def vae_config(
    *, channels: int, norm_num_groups: int, sample_size: int, scaling_factor: float, force_upcast: bool | None = None
) -> dict[str, Any]:
    """One AutoencoderKL config; Optimum writes the same file into vae_decoder/ and vae_encoder/."""
    upcast = {} if force_upcast is None else {"force_upcast": force_upcast}
    return {
        "_class_name": "AutoencoderKL",
        "_diffusers_version": DIFFUSERS_VERSION,
        "act_fn": "silu",
        "block_out_channels": [channels] * 4,
        "down_block_types": ["DownEncoderBlock2D"] * 4,
        **upcast,
        "in_channels": 3,
        "latent_channels": 4,
        "layers_per_block": 1,
        "norm_num_groups": norm_num_groups,
        "out_channels": 3,
        "sample_size": sample_size,
        "scaling_factor": scaling_factor,
        "up_block_types": ["UpDecoderBlock2D"] * 4,
    }
