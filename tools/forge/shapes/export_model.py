"""Writes trained tiny-shapes networks as a Stable Diffusion ONNX export (Optimum / diffusers layout)."""

from __future__ import annotations

from pathlib import Path

import onnx
import torch

from bpe_vocab import Tokenizer, write_json
from export import export_module, make_reproducible, save_model
from shapes.networks import ShapesUNet, UNetSpec, VaeDecoder, VaeEncoder, VaeEncoderExport, VaeSpec
from tiny_modules import TextEncoderConfig, TinyCLIPTextModel

OPSET = 17
IMAGE_SIZE = 64
DIFFUSERS_VERSION = "0.30.0"
# The sampler and settings the evaluation chose (see MODEL_CARD.md); stipple.json carries them to the engine.
DEFAULT_STEPS = 20
DEFAULT_GUIDANCE = 5.0


def component_graph(component: str, module: torch.nn.Module, text_hidden: int) -> onnx.ModelProto:
    """One component traced to ONNX with its Optimum input/output names and dynamic axes (reproducible fields set).

    `module` is the torch network itself (for `vae_encoder`, the `VaeEncoder`: the graph returns its posterior mean).
    """
    latent = IMAGE_SIZE // 8
    if component == "text_encoder":
        io = (
            (torch.zeros(1, 77, dtype=torch.int32),),
            ["input_ids"],
            ["last_hidden_state", "pooler_output"],
            {
                "input_ids": {0: "batch_size", 1: "sequence_length"},
                "last_hidden_state": {0: "batch_size", 1: "sequence_length"},
                "pooler_output": {0: "batch_size"},
            },
        )
    elif component == "unet":
        io = (
            (torch.zeros(2, 4, latent, latent), torch.tensor([999, 999]), torch.zeros(2, 77, text_hidden)),
            ["sample", "timestep", "encoder_hidden_states"],
            ["out_sample"],
            {
                "sample": {0: "batch_size", 2: "height", 3: "width"},
                "timestep": {0: "steps"},
                "encoder_hidden_states": {0: "batch_size", 1: "sequence_length"},
                "out_sample": {0: "batch_size", 2: "height", 3: "width"},
            },
        )
    elif component == "vae_decoder":
        io = (
            (torch.zeros(1, 4, latent, latent),),
            ["latent_sample"],
            ["sample"],
            {
                "latent_sample": {0: "batch_size", 2: "height_latent", 3: "width_latent"},
                "sample": {0: "batch_size", 2: "height", 3: "width"},
            },
        )
    elif component == "vae_encoder":
        module = VaeEncoderExport(module)
        io = (
            (torch.zeros(1, 3, IMAGE_SIZE, IMAGE_SIZE),),
            ["sample"],
            ["latent_sample"],
            {
                "sample": {0: "batch_size", 2: "height", 3: "width"},
                "latent_sample": {0: "batch_size", 2: "height_latent", 3: "width_latent"},
            },
        )
    else:
        raise ValueError(f"unknown component {component!r}; use text_encoder, unet, vae_decoder or vae_encoder")
    args, inputs, outputs, axes = io
    return make_reproducible(export_module(module, args, inputs, outputs, axes, OPSET), component)


def scheduler_config() -> dict:
    """The noise schedule training used (Stable Diffusion's), sampled with DPM-Solver++ (2M)."""
    return {
        "_class_name": "DPMSolverMultistepScheduler",
        "_diffusers_version": DIFFUSERS_VERSION,
        "num_train_timesteps": 1000,
        "beta_start": 0.00085,
        "beta_end": 0.012,
        "beta_schedule": "scaled_linear",
        "trained_betas": None,
        "prediction_type": "epsilon",
        "algorithm_type": "dpmsolver++",
        "solver_order": 2,
        "timestep_spacing": "leading",
        "steps_offset": 1,
    }


def export_tiny_shapes(
    out: Path,
    tokenizer: Tokenizer,
    text_encoder: TinyCLIPTextModel,
    text_cfg: TextEncoderConfig,
    unet: ShapesUNet,
    unet_spec: UNetSpec,
    vae_encoder: VaeEncoder,
    vae_decoder: VaeDecoder,
    vae_spec: VaeSpec,
    stats: dict,
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tokenizer.write(out / "tokenizer")
    networks = {"text_encoder": text_encoder, "unet": unet, "vae_decoder": vae_decoder, "vae_encoder": vae_encoder}
    for component, module in networks.items():
        save_model(component_graph(component, module, text_cfg.hidden_size), out / component / "model.onnx")
    vae_json = {
        "_class_name": "AutoencoderKL",
        "_diffusers_version": DIFFUSERS_VERSION,
        "in_channels": 3,
        "out_channels": 3,
        "latent_channels": vae_spec.latent_channels,
        "block_out_channels": list(vae_spec.block_out_channels),
        "scaling_factor": round(stats["scaling_factor"], 5),
        "sample_size": IMAGE_SIZE,
    }
    write_json(out / "vae_decoder" / "config.json", vae_json)
    write_json(out / "vae_encoder" / "config.json", vae_json)
    write_json(
        out / "text_encoder" / "config.json",
        {
            "architectures": ["CLIPTextModel"],
            "hidden_size": text_cfg.hidden_size,
            "intermediate_size": text_cfg.intermediate_size,
            "num_attention_heads": text_cfg.num_attention_heads,
            "num_hidden_layers": text_cfg.num_hidden_layers,
            "max_position_embeddings": text_cfg.max_position_embeddings,
            "hidden_act": text_cfg.hidden_act,
            "vocab_size": text_cfg.vocab_size,
            "bos_token_id": tokenizer.bos_id,
            "eos_token_id": tokenizer.eos_id,
            "pad_token_id": tokenizer.eos_id,
        },
    )
    write_json(
        out / "unet" / "config.json",
        {
            "_class_name": "UNet2DConditionModel",
            "_diffusers_version": DIFFUSERS_VERSION,
            "sample_size": IMAGE_SIZE // 8,
            "in_channels": unet_spec.latent_channels,
            "out_channels": unet_spec.latent_channels,
            "block_out_channels": list(unet_spec.channels),
            "cross_attention_dim": unet_spec.cross_attention_dim,
            "attention_head_dim": unet_spec.attention_heads,
        },
    )
    write_json(out / "scheduler" / "scheduler_config.json", scheduler_config())
    write_json(
        out / "model_index.json",
        {
            "_class_name": "ORTStableDiffusionPipeline",
            "_diffusers_version": DIFFUSERS_VERSION,
            "scheduler": ["diffusers", "DPMSolverMultistepScheduler"],
            "text_encoder": ["optimum", "ORTModelTextEncoder"],
            "tokenizer": ["transformers", "CLIPTokenizer"],
            "unet": ["optimum", "ORTModelUnet"],
            "vae_decoder": ["optimum", "ORTModelVaeDecoder"],
            "vae_encoder": ["optimum", "ORTModelVaeEncoder"],
        },
    )
    write_json(out / "stipple.json", {"defaults": {"steps": DEFAULT_STEPS, "guidance": DEFAULT_GUIDANCE}})
    write_json(out / "training.json", stats)
