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
from shapes.scenes import caption_corpus, render, sample_scene
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


def train_denoiser(
    latents: tuple[torch.Tensor, torch.Tensor],
    ids: torch.Tensor,
    empty_ids: torch.Tensor,
    text_cfg: TextEncoderConfig,
    s: TrainSettings,
    spec: UNetSpec,
    scaling_factor: float,
) -> tuple[TinyCLIPTextModel, ShapesUNet]:
    text_encoder, unet = TinyCLIPTextModel(text_cfg), ShapesUNet(spec)
    params = list(text_encoder.parameters()) + list(unet.parameters())
    optimizer = torch.optim.AdamW(params, lr=s.unet_lr, weight_decay=0.01)
    ema_text, ema_unet = deepcopy(text_encoder), deepcopy(unet)
    alphas_cumprod = scaled_linear_alphas_cumprod()
    generator = torch.Generator().manual_seed(s.seed + 2)
    means, logvars = latents
    for step in range(s.unet_steps):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, s.unet_steps, s.unet_lr, s.warmup_steps)
        index = torch.randint(len(means), (s.unet_batch,), generator=generator)
        posterior = means[index] + torch.randn(means[index].shape, generator=generator) * (0.5 * logvars[index]).exp()
        x0 = posterior * scaling_factor
        drop = torch.rand(s.unet_batch, generator=generator) < s.caption_dropout
        batch_ids = torch.where(drop[:, None], empty_ids[None, :], ids[index])
        t = torch.randint(len(alphas_cumprod), (s.unet_batch,), generator=generator)
        noise = torch.randn(x0.shape, generator=generator)
        a = alphas_cumprod[t].sqrt()[:, None, None, None]
        b = (1 - alphas_cumprod[t]).sqrt()[:, None, None, None]
        prediction = unet(a * x0 + b * noise, t, text_encoder(batch_ids)[0])
        loss = F.mse_loss(prediction, noise)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        with torch.no_grad():
            decay = min(s.ema_decay, (1 + step) / (10 + step))
            for ema, live in ((ema_text, text_encoder), (ema_unet, unet)):
                for p_ema, p in zip(ema.parameters(), live.parameters()):
                    p_ema.mul_(decay).add_(p, alpha=1 - decay)
        if step % 100 == 0 or step == s.unet_steps - 1:
            log(f"unet step {step}/{s.unet_steps} loss {loss.item():.4f}")
    return ema_text.eval(), ema_unet.eval()


def train(out: Path, s: TrainSettings) -> dict:
    started = time.time()
    torch.set_num_threads(s.threads)
    torch.manual_seed(s.seed)
    rng = random.Random(s.seed)

    tokenizer = Tokenizer(s.bpe_merges, lines=caption_corpus())
    log(f"tokenizer: {tokenizer.vocab_size} entries")

    scenes = [sample_scene(rng) for _ in range(s.dataset_size)]
    images = np.stack([render(scene, rng) for scene in scenes])
    ids = torch.tensor([padded_ids(tokenizer, scene.caption) for scene in scenes], dtype=torch.int64)
    empty_ids = torch.tensor(padded_ids(tokenizer, ""), dtype=torch.int64)
    log(f"dataset: {len(scenes)} renders")

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
    text_encoder, unet = train_denoiser((means, logvars), ids, empty_ids, text_cfg, s, unet_spec, scaling_factor)
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
