"""The tiny-shapes networks: a KL autoencoder (factor 8, 4 latent channels) and a conditional UNet.

Same data flow and ONNX interface as diffusers' AutoencoderKL and UNet2DConditionModel, at a size
that trains on a 2-core CPU. The text encoder is tiny_modules.TinyCLIPTextModel, trained here.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from tiny_modules import TimestepEmbedding, Transformer2D, UNetConfig, timestep_embedding

GROUPS = 8


class ResBlock(nn.Module):
    """GroupNorm-SiLU-conv twice, with an optional timestep projection and a 1x1 skip when widths differ."""

    def __init__(self, c_in: int, c_out: int, temb_dim: int | None = None) -> None:
        super().__init__()
        self.norm1 = nn.GroupNorm(GROUPS, c_in)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb_dim, c_out) if temb_dim else None
        self.norm2 = nn.GroupNorm(GROUPS, c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x: torch.Tensor, temb: torch.Tensor | None = None) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        if self.time_emb_proj is not None and temb is not None:
            h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return self.skip(x) + h


# --- autoencoder -------------------------------------------------------------------------------


@dataclass(frozen=True)
class VaeSpec:
    block_out_channels: tuple[int, ...] = (16, 32, 64, 64)
    latent_channels: int = 4


class VaeEncoder(nn.Module):
    """sample [B, 3, H, W] in [-1, 1] -> (mean, logvar) [B, 4, H/8, W/8]."""

    def __init__(self, spec: VaeSpec) -> None:
        super().__init__()
        ch = spec.block_out_channels
        self.conv_in = nn.Conv2d(3, ch[0], 3, padding=1)
        blocks: list[nn.Module] = []
        for i in range(len(ch) - 1):
            blocks += [ResBlock(ch[i], ch[i + 1]), nn.Conv2d(ch[i + 1], ch[i + 1], 3, stride=2, padding=1)]
        self.down = nn.Sequential(*blocks)
        self.mid = ResBlock(ch[-1], ch[-1])
        self.norm_out = nn.GroupNorm(GROUPS, ch[-1])
        self.conv_out = nn.Conv2d(ch[-1], 2 * spec.latent_channels, 3, padding=1)

    def forward(self, sample: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.mid(self.down(self.conv_in(sample)))
        mean, logvar = self.conv_out(F.silu(self.norm_out(h))).chunk(2, dim=1)
        return mean, logvar.clamp(-30.0, 20.0)


class VaeDecoder(nn.Module):
    """latent_sample [B, 4, h, w] (unscaled) -> sample [B, 3, 8h, 8w] in about [-1, 1]."""

    def __init__(self, spec: VaeSpec) -> None:
        super().__init__()
        ch = tuple(reversed(spec.block_out_channels))
        self.conv_in = nn.Conv2d(spec.latent_channels, ch[0], 3, padding=1)
        self.mid = ResBlock(ch[0], ch[0])
        self.up = nn.ModuleList()
        for i in range(len(ch) - 1):
            self.up.append(nn.ModuleList([nn.Conv2d(ch[i], ch[i], 3, padding=1), ResBlock(ch[i], ch[i + 1])]))
        self.norm_out = nn.GroupNorm(GROUPS, ch[-1])
        self.conv_out = nn.Conv2d(ch[-1], 3, 3, padding=1)

    def forward(self, latent_sample: torch.Tensor) -> torch.Tensor:
        h = self.mid(self.conv_in(latent_sample))
        for conv, block in self.up:
            h = block(conv(F.interpolate(h, scale_factor=2.0, mode="nearest")))
        return self.conv_out(F.silu(self.norm_out(h)))


class VaeEncoderExport(nn.Module):
    """The exported encoder returns the posterior mean as `latent_sample` (deterministic encoding)."""

    def __init__(self, encoder: VaeEncoder) -> None:
        super().__init__()
        self.encoder = encoder

    def forward(self, sample: torch.Tensor) -> torch.Tensor:
        return self.encoder(sample)[0]


# --- UNet --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UNetSpec:
    channels: tuple[int, int] = (64, 128)
    time_embed_dim: int = 256
    cross_attention_dim: int = 128
    attention_heads: int = 4
    latent_channels: int = 4


def _transformer(channels: int, spec: UNetSpec) -> Transformer2D:
    cfg = UNetConfig(
        block_channels=channels,
        cross_attention_dim=spec.cross_attention_dim,
        attention_heads=spec.attention_heads,
        norm_groups=GROUPS,
        ff_inner=channels * 2,
        use_linear_projection=True,
    )
    return Transformer2D(cfg)


class ShapesUNet(nn.Module):
    """(sample, timestep, encoder_hidden_states) -> out_sample, two resolutions with cross-attention at both."""

    def __init__(self, spec: UNetSpec) -> None:
        super().__init__()
        c1, c2 = spec.channels
        t = spec.time_embed_dim
        self.base_channels = c1
        self.time_embedding = TimestepEmbedding(c1, t)
        self.conv_in = nn.Conv2d(spec.latent_channels, c1, 3, padding=1)
        self.down1 = ResBlock(c1, c1, t)
        self.attn_down1 = _transformer(c1, spec)
        self.downsample = nn.Conv2d(c1, c1, 3, stride=2, padding=1)
        self.down2 = ResBlock(c1, c2, t)
        self.attn_down2 = _transformer(c2, spec)
        self.mid1 = ResBlock(c2, c2, t)
        self.attn_mid = _transformer(c2, spec)
        self.mid2 = ResBlock(c2, c2, t)
        self.up2 = ResBlock(2 * c2, c2, t)
        self.attn_up2 = _transformer(c2, spec)
        self.upsample = nn.Conv2d(c2, c2, 3, padding=1)
        self.up1 = ResBlock(c2 + c1, c1, t)
        self.attn_up1 = _transformer(c1, spec)
        self.norm_out = nn.GroupNorm(GROUPS, c1)
        self.conv_out = nn.Conv2d(c1, spec.latent_channels, 3, padding=1)

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor, encoder_hidden_states: torch.Tensor) -> torch.Tensor:
        context = encoder_hidden_states
        timesteps = timestep.reshape(-1).expand(sample.shape[0])
        temb = self.time_embedding(timestep_embedding(timesteps, self.base_channels))
        h1 = self.attn_down1(self.down1(self.conv_in(sample), temb), context)
        h2 = self.attn_down2(self.down2(self.downsample(h1), temb), context)
        h = self.mid2(self.attn_mid(self.mid1(h2, temb), context), temb)
        h = self.attn_up2(self.up2(torch.cat([h, h2], dim=1), temb), context)
        h = self.upsample(F.interpolate(h, scale_factor=2.0, mode="nearest"))
        h = self.attn_up1(self.up1(torch.cat([h, h1], dim=1), temb), context)
        return self.conv_out(F.silu(self.norm_out(h)))
