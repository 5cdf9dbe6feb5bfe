"""`forge.py finetune`: continues a trained tiny-shapes model's UNet with captions swapped at low noise.

Why (models/tiny-shapes/MODEL_CARD.md, "Image to image"): at the default guidance the shipped model repaints an input
image into the new prompt even at strength 0.2, because at low noise its conditional prediction with a caption that
contradicts the image is far from the true noise while its unconditional prediction is close, and guidance scales
that gap. Training with another scene's caption at low noise (`CaptionSwap`) teaches the UNet that where the image
shows through the noise, the image decides. By default the targets are the loaded UNet's own predictions
(self-distillation), so whatever the swap does not touch stays as it was. The model card records what the runs
gained and cost (text-to-image colour), and why their weights were not shipped.

Stages, each seeded: (1) load the model folder back into torch (exactly: shapes/onnx_weights.py), (2) a fresh dataset
of jittered renders, (3) their latents through the model's own encoder, (4) the UNet (text encoder frozen) from its
weights, (5) ONNX export, with `training.json` keeping the original run and appending this one to `finetune`.
"""

from __future__ import annotations

import random
import time
from copy import deepcopy
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from shapes.export_model import export_tiny_shapes
from shapes.load_model import load_tiny_shapes
from shapes.scenes import COLOURS
from shapes.train import CaptionSwap, DenoiserSettings, encode_dataset, log, padded_ids, render_dataset, train_denoiser


@dataclass(frozen=True)
class FinetuneSettings:
    """The defaults are the model card's run 4 (about 7 minutes on one shared CPU core); the other runs are listed there."""

    seed: int = 11
    dataset_size: int = 8_000
    steps: int = 500
    batch: int = 64
    lr: float = 2e-4
    warmup_steps: int = 50
    caption_dropout: float = 0.1
    ema_decay: float = 0.995
    swap_probability: float = 0.8
    swap_full_below: int = 250
    swap_none_above: int = 350
    swap_min_colour_distance: float = 215.0
    # Targets: the loaded UNet's predictions (self-distillation) rather than the noise.
    distill: bool = True
    # One thread: on a 2-core machine shared with other work, two torch threads ran 7× slower per step (spin waits).
    threads: int = 1


def finetune(source: Path, out: Path, s: FinetuneSettings) -> dict:
    started = time.time()
    torch.set_num_threads(s.threads)
    torch.manual_seed(s.seed)
    model = load_tiny_shapes(source)
    log(f"loaded {source}")

    scenes, images, ids = render_dataset(random.Random(s.seed), s.dataset_size, model.tokenizer)
    colours = torch.tensor([COLOURS[scene.colour] for scene in scenes], dtype=torch.float32)
    empty_ids = torch.tensor(padded_ids(model.tokenizer, ""), dtype=torch.int64)
    latents = encode_dataset(model.vae_encoder, images)
    # The scaling factor is part of the trained model (the UNet learnt latents at that scale): keep it.
    scaling_factor = model.training["scaling_factor"]

    denoiser = DenoiserSettings(
        seed=s.seed + 2,
        steps=s.steps,
        batch=s.batch,
        lr=s.lr,
        warmup_steps=s.warmup_steps,
        caption_dropout=s.caption_dropout,
        ema_decay=s.ema_decay,
        train_text_encoder=False,
        caption_swap=CaptionSwap(s.swap_probability, s.swap_full_below, s.swap_none_above, s.swap_min_colour_distance),
    )
    teacher = deepcopy(model.unet).requires_grad_(False) if s.distill else None
    text_encoder, unet = train_denoiser(
        latents, ids, empty_ids, model.text_encoder, model.unet, denoiser, scaling_factor, teacher, colours
    )
    minutes = round((time.time() - started) / 60, 1)
    run = {"source": str(source), "settings": asdict(s), "minutes": minutes, "torch": torch.__version__}
    stats = {**model.training, "finetune": [*model.training.get("finetune", []), run]}
    export_tiny_shapes(
        out,
        model.tokenizer,
        text_encoder,
        model.text_cfg,
        unet,
        model.unet_spec,
        model.vae_encoder,
        model.vae_decoder,
        model.vae_spec,
        stats,
    )
    log(f"exported to {out} after {minutes} minutes of fine-tuning")
    return stats
