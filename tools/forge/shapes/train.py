"""`forge.py train`: trains tiny-shapes (tokenizer, autoencoder, text encoder + UNet) and exports it.

Stages, each seeded: (1) BPE tokenizer over the grammar's captions, (2) a dataset of jittered
renders, (3) the KL autoencoder, (4) latents of the dataset, (5) text encoder and UNet together
with the DDPM epsilon objective (10% empty captions for classifier-free guidance, EMA weights),
(6) ONNX export in the Optimum / diffusers layout the engine reads.
"""

from __future__ import annotations

import math
import random
import time
from copy import deepcopy
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from bpe_vocab import Tokenizer
from shapes.export_model import export_tiny_shapes
from shapes.networks import ShapesUNet, UNetSpec, VaeDecoder, VaeEncoder, VaeSpec
from shapes.scenes import Scene, caption_corpus, render, sample_scene
from tiny_modules import TextEncoderConfig, TinyCLIPTextModel

WINDOW = 77


@dataclass(frozen=True)
class TrainSettings:
    """Defaults train on a 2-core CPU within the 60-minute budget; `--scale` multiplies the step counts."""

    seed: int = 7
    dataset_size: int = 24_000
    bpe_merges: int = 160
    vae_steps: int = 1_000
    vae_batch: int = 32
    vae_lr: float = 1e-3
    kl_weight: float = 1e-6
    unet_steps: int = 2_600
    unet_batch: int = 64
    unet_lr: float = 5e-4
    warmup_steps: int = 200
    caption_dropout: float = 0.1
    ema_decay: float = 0.999
    text_hidden: int = 96
    unet_channels: tuple[int, int] = (48, 96)
    threads: int = 2


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def lr_at(step: int, total: int, peak: float, warmup: int) -> float:
    """Linear warm-up, then cosine decay to 10% of the peak."""
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def to_unit_range(images: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(images).permute(0, 3, 1, 2).float() / 127.5 - 1


def train_vae(images: np.ndarray, s: TrainSettings, spec: VaeSpec) -> tuple[VaeEncoder, VaeDecoder]:
    encoder, decoder = VaeEncoder(spec), VaeDecoder(spec)
    params = list(encoder.parameters()) + list(decoder.parameters())
    optimizer = torch.optim.Adam(params, lr=s.vae_lr)
    generator = torch.Generator().manual_seed(s.seed + 1)
    for step in range(s.vae_steps):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, s.vae_steps, s.vae_lr, 50)
        batch = to_unit_range(images[torch.randint(len(images), (s.vae_batch,), generator=generator).numpy()])
        mean, logvar = encoder(batch)
        latent = mean + torch.randn(mean.shape, generator=generator) * (0.5 * logvar).exp()
        recon = decoder(latent)
        kl = 0.5 * (mean.pow(2) + logvar.exp() - 1 - logvar).sum(dim=(1, 2, 3)).mean()
        loss = F.l1_loss(recon, batch) + F.mse_loss(recon, batch) + s.kl_weight * kl
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if step % 100 == 0 or step == s.vae_steps - 1:
            log(f"vae step {step}/{s.vae_steps} loss {loss.item():.4f} kl {kl.item():.1f}")
    return encoder.eval(), decoder.eval()


@torch.no_grad()
def encode_dataset(encoder: VaeEncoder, images: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    means, logvars = [], []
    for start in range(0, len(images), 256):
        mean, logvar = encoder(to_unit_range(images[start : start + 256]))
        means.append(mean)
        logvars.append(logvar)
    return torch.cat(means), torch.cat(logvars)


def padded_ids(tokenizer: Tokenizer, text: str) -> list[int]:
    """What the engine's CLIP tokenizer feeds: start, tokens, end, end-token padding to the window."""
    ids = [tokenizer.bos_id, *tokenizer.encode(text)[: WINDOW - 2], tokenizer.eos_id]
    return ids + [tokenizer.eos_id] * (WINDOW - len(ids))


def scaled_linear_alphas_cumprod(steps: int = 1000, start: float = 0.00085, end: float = 0.012) -> torch.Tensor:
    betas = torch.linspace(start**0.5, end**0.5, steps, dtype=torch.float32) ** 2
    return torch.cumprod(1 - betas, dim=0)


@dataclass(frozen=True)
class CaptionSwap:
    """Trains the caption to lose its say where the noisy latents already show the scene (the low-noise end).

    At timestep t a sample's caption is replaced by another scene's caption with probability `probability` for
    t <= `full_below`, falling linearly to 0 at `none_above`; the target stays the sample's own noise. So where the
    image is visible through the noise, the conditional prediction learns to follow the image, not a caption that
    contradicts it, and classifier-free guidance (which scales conditional minus unconditional) stops repainting an
    input image at low image-to-image strengths.
    """

    probability: float
    full_below: int
    none_above: int
    # Only a caption whose shape colour is at least this far (RGB) from the sample's is swapped in: where two colours
    # are close (yellow/orange, blue/purple), the low-noise latents cannot tell them apart and text-to-image still
    # needs the caption to settle which one it draws.
    min_colour_distance: float = 0.0

    def at(self, t: torch.Tensor) -> torch.Tensor:
        ramp = (self.none_above - t.float()) / (self.none_above - self.full_below)
        return self.probability * ramp.clamp(0.0, 1.0)


@dataclass(frozen=True)
class DenoiserSettings:
    """One run of the denoiser stage: from fresh weights (`train`) or from a trained model's (`finetune`)."""

    seed: int
    steps: int
    batch: int
    lr: float
    warmup_steps: int
    caption_dropout: float
    ema_decay: float
    train_text_encoder: bool = True
    caption_swap: CaptionSwap | None = None


def train_denoiser(
    latents: tuple[torch.Tensor, torch.Tensor],
    ids: torch.Tensor,
    empty_ids: torch.Tensor,
    text_encoder: TinyCLIPTextModel,
    unet: ShapesUNet,
    d: DenoiserSettings,
    scaling_factor: float,
    teacher: ShapesUNet | None = None,
    colours: torch.Tensor | None = None,
) -> tuple[TinyCLIPTextModel, ShapesUNet]:
    """The DDPM epsilon objective on posterior samples of the latents, with empty captions for guidance; EMA weights.

    With a `teacher` (a frozen UNet over the same frozen text encoder) the target is the teacher's prediction instead
    of the noise: self-distillation, whose low-variance target keeps what the teacher does well while the student
    learns the change (`caption_swap`: there the teacher is asked without a caption). `colours` [N, 3] are the
    samples' shape colours, for `caption_swap.min_colour_distance`.
    """
    if teacher is not None and d.train_text_encoder:
        raise ValueError("a teacher shares the student's text encoder, so that encoder must stay frozen (train_text_encoder)")
    trained = [text_encoder, unet] if d.train_text_encoder else [unet]
    text_encoder.train(d.train_text_encoder).requires_grad_(d.train_text_encoder)
    unet.train()
    params = [p for module in trained for p in module.parameters()]
    optimizer = torch.optim.AdamW(params, lr=d.lr, weight_decay=0.01)
    emas = [deepcopy(module) for module in trained]
    alphas_cumprod = scaled_linear_alphas_cumprod()
    generator = torch.Generator().manual_seed(d.seed)
    means, logvars = latents
    for step in range(d.steps):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, d.steps, d.lr, d.warmup_steps)
        index = torch.randint(len(means), (d.batch,), generator=generator)
        posterior = means[index] + torch.randn(means[index].shape, generator=generator) * (0.5 * logvars[index]).exp()
        x0 = posterior * scaling_factor
        drop = torch.rand(d.batch, generator=generator) < d.caption_dropout
        t = torch.randint(len(alphas_cumprod), (d.batch,), generator=generator)
        batch_ids = torch.where(drop[:, None], empty_ids[None, :], ids[index])
        # What the teacher is asked: the sample's own caption (or none), and none where the caption is swapped.
        teacher_ids = batch_ids
        if d.caption_swap is not None:
            swap = (torch.rand(d.batch, generator=generator) < d.caption_swap.at(t)) & ~drop
            other = torch.randint(len(ids), (d.batch,), generator=generator)
            if colours is not None:
                swap &= (colours[index] - colours[other]).norm(dim=1) >= d.caption_swap.min_colour_distance
            batch_ids = torch.where(swap[:, None], ids[other], batch_ids)
            teacher_ids = torch.where(swap[:, None], empty_ids[None, :], teacher_ids)
        noise = torch.randn(x0.shape, generator=generator)
        a = alphas_cumprod[t].sqrt()[:, None, None, None]
        b = (1 - alphas_cumprod[t]).sqrt()[:, None, None, None]
        noisy = a * x0 + b * noise
        with torch.set_grad_enabled(d.train_text_encoder):
            context = text_encoder(batch_ids)[0]
        prediction = unet(noisy, t, context)
        if teacher is None:
            target = noise
        else:
            with torch.no_grad():
                target = teacher(noisy, t, text_encoder(teacher_ids)[0])
        loss = F.mse_loss(prediction, target)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        with torch.no_grad():
            decay = min(d.ema_decay, (1 + step) / (10 + step))
            for ema, live in zip(emas, trained):
                for p_ema, p in zip(ema.parameters(), live.parameters()):
                    p_ema.mul_(decay).add_(p, alpha=1 - decay)
        if step % 100 == 0 or step == d.steps - 1:
            log(f"unet step {step}/{d.steps} loss {loss.item():.4f}")
    if d.train_text_encoder:
        return emas[0].eval(), emas[1].eval()
    return text_encoder.eval(), emas[0].eval()


def render_dataset(rng: random.Random, size: int, tokenizer: Tokenizer) -> tuple[list[Scene], np.ndarray, torch.Tensor]:
    """`size` scenes sampled from the grammar, their jittered renders and their captions' token ids."""
    scenes = [sample_scene(rng) for _ in range(size)]
    images = np.stack([render(scene, rng) for scene in scenes])
    ids = torch.tensor([padded_ids(tokenizer, scene.caption) for scene in scenes], dtype=torch.int64)
    log(f"dataset: {len(scenes)} renders")
    return scenes, images, ids


def train(out: Path, s: TrainSettings) -> dict:
    started = time.time()
    torch.set_num_threads(s.threads)
    torch.manual_seed(s.seed)
    rng = random.Random(s.seed)

    tokenizer = Tokenizer(s.bpe_merges, lines=caption_corpus())
    log(f"tokenizer: {tokenizer.vocab_size} entries")

    _, images, ids = render_dataset(rng, s.dataset_size, tokenizer)
    empty_ids = torch.tensor(padded_ids(tokenizer, ""), dtype=torch.int64)

    vae_spec = VaeSpec()
    encoder, decoder = train_vae(images, s, vae_spec)
    vae_done = time.time()
    means, logvars = encode_dataset(encoder, images)
    # As Stable Diffusion's 0.18215: scale latents to unit variance for the diffusion model.
    scaling_factor = float(1 / means.std())
    log(f"latents: std {means.std().item():.3f}, scaling factor {scaling_factor:.5f}")

    text_cfg = TextEncoderConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=s.text_hidden,
        intermediate_size=2 * s.text_hidden,
        num_attention_heads=4,
        num_hidden_layers=2,
        hidden_act="gelu",
    )
    unet_spec = UNetSpec(channels=s.unet_channels, cross_attention_dim=s.text_hidden, time_embed_dim=4 * s.unet_channels[0])
    denoiser = DenoiserSettings(
        seed=s.seed + 2,
        steps=s.unet_steps,
        batch=s.unet_batch,
        lr=s.unet_lr,
        warmup_steps=s.warmup_steps,
        caption_dropout=s.caption_dropout,
        ema_decay=s.ema_decay,
    )
    text_encoder, unet = train_denoiser(
        (means, logvars), ids, empty_ids, TinyCLIPTextModel(text_cfg), ShapesUNet(unet_spec), denoiser, scaling_factor
    )
    finished = time.time()

    stats = {
        "settings": asdict(s),
        "minutes": {"vae": round((vae_done - started) / 60, 1), "total": round((finished - started) / 60, 1)},
        "parameters": {
            "text_encoder": sum(p.numel() for p in text_encoder.parameters()),
            "unet": sum(p.numel() for p in unet.parameters()),
            "vae_encoder": sum(p.numel() for p in encoder.parameters()),
            "vae_decoder": sum(p.numel() for p in decoder.parameters()),
        },
        "vocab_size": tokenizer.vocab_size,
        "scaling_factor": scaling_factor,
        "torch": torch.__version__,
    }
    export_tiny_shapes(out, tokenizer, text_encoder, text_cfg, unet, unet_spec, encoder, decoder, vae_spec, stats)
    log(f"exported to {out} in {stats['minutes']['total']} minutes of training")
    return stats
