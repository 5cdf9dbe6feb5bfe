"""The ``safety-checker`` fixture: the base variant's files plus ``safety_checker/`` and ``feature_extractor/``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch

from bpe_vocab import write_json
from export import export_module, make_reproducible, save_model
from safety_checker import SafetyCheckerConfig, build_safety_checker
from variants import SAFETY_CHECKER_BASE, SAFETY_CHECKER_VARIANT

# diffusers' conversion script (scripts/convert_stable_diffusion_checkpoint_to_onnx.py) exports the checker at opset 14
SAFETY_CHECKER_OPSET = 14
# what that script traces with: one CLIP input and one image of the VAE's sample size (64 px for the base variant)
EXAMPLE_IMAGE_SIZE = 64

# CLIPImageProcessor's saved form, as Stable Diffusion repositories carry it since transformers 4.27
PREPROCESSOR_CONFIG = {
    "crop_size": {"height": 224, "width": 224},
    "do_center_crop": True,
    "do_convert_rgb": True,
    "do_normalize": True,
    "do_rescale": True,
    "do_resize": True,
    "image_mean": [0.48145466, 0.4578275, 0.40821073],
    "image_processor_type": "CLIPImageProcessor",
    "image_std": [0.26862954, 0.26130258, 0.27577711],
    "resample": 3,
    "rescale_factor": 0.00392156862745098,
    "size": {"shortest_edge": 224},
}


def export_safety_checker(path: Path) -> None:
    """The checker as diffusers' conversion script exports it (``forward_onnx``, same names and dynamic axes)."""
    cfg = SafetyCheckerConfig()
    module = build_safety_checker(cfg)
    gen = torch.Generator().manual_seed(7)
    clip_input = torch.randn((1, 3, cfg.image_size, cfg.image_size), generator=gen)
    images = torch.rand((1, EXAMPLE_IMAGE_SIZE, EXAMPLE_IMAGE_SIZE, 3), generator=gen)
    model = export_module(
        module,
        (clip_input, images),
        ["clip_input", "images"],
        ["out_images", "has_nsfw_concepts", "special_scores", "concept_scores"],
        {
            "clip_input": {0: "batch", 1: "channels", 2: "height", 3: "width"},
            "images": {0: "batch", 1: "height", 2: "width", 3: "channels"},
            "special_scores": {0: "batch"},
            "concept_scores": {0: "batch"},
        },
        SAFETY_CHECKER_OPSET,
    )
    make_reproducible(model, f"{SAFETY_CHECKER_VARIANT}_safety_checker")
    save_model(model, path)


def build_safety_checker_variant(out: Path) -> Path:
    base = out / SAFETY_CHECKER_BASE
    if not base.is_dir():
        raise FileNotFoundError(f"{base} must be built first")
    folder = out / SAFETY_CHECKER_VARIANT
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(base, folder, ignore=shutil.ignore_patterns("vae_encoder"))
    index_path = folder / "model_index.json"
    index = json.loads(index_path.read_text(encoding="utf-8"))
    index.pop("vae_encoder", None)
    # what diffusers' conversion script saves for a pipeline with its checker
    index["feature_extractor"] = ["transformers", "CLIPImageProcessor"]
    index["requires_safety_checker"] = True
    index["safety_checker"] = ["diffusers", "OnnxRuntimeModel"]
    write_json(index_path, index)
    write_json(folder / "feature_extractor" / "preprocessor_config.json", PREPROCESSOR_CONFIG)
    export_safety_checker(folder / "safety_checker" / "model.onnx")
    return folder
