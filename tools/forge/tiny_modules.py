"""Tiny torch modules with the Stable Diffusion component interfaces.

They mirror the data flow of transformers' ``CLIPTextModel`` and diffusers'
``UNet2DConditionModel`` / ``AutoencoderKL`` (decoder and encoder) at toy sizes,
so their ONNX exports have the same inputs, outputs and dtypes as real exports.
Weights are random; :func:`init_weights` makes them deterministic from a seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

# --- shared pieces ------------------------------------------------------------------------


def quick_gelu(x: torch.Tensor) -> torch.Tensor:
    return x * torch.sigmoid(1.702 * x)


class Attention(nn.Module):
    """Multi-head (self or cross) attention, written out with MatMul/Softmax."""

    def __init__(self, query_dim: int, context_dim: int, heads: int, head_dim: int, qkv_bias: bool) -> None:
        super().__init__()
        self.heads = heads
        self.head_dim = head_dim
        inner = heads * head_dim
        self.to_q = nn.Linear(query_dim, inner, bias=qkv_bias)
        self.to_k = nn.Linear(context_dim, inner, bias=qkv_bias)
        self.to_v = nn.Linear(context_dim, inner, bias=qkv_bias)
        self.to_out = nn.Linear(inner, query_dim)

    def _split(self, x: torch.Tensor, batch: torch.Tensor | int) -> torch.Tensor:
        return x.reshape(batch, -1, self.heads, self.head_dim).transpose(1, 2)

    def forward(
        self, x: torch.Tensor, context: torch.Tensor | None = None, causal: torch.Tensor | None = None
    ) -> torch.Tensor:
        context = x if context is None else context
        b = x.shape[0]
        q = self._split(self.to_q(x), b)
        k = self._split(self.to_k(context), b)
        v = self._split(self.to_v(context), b)
        scores = torch.matmul(q, k.transpose(-1, -2)) * (self.head_dim**-0.5)
        if causal is not None:
            scores = scores.masked_fill(causal, float("-inf"))
        out = torch.matmul(scores.softmax(dim=-1), v)
        out = out.transpose(1, 2).reshape(b, -1, self.heads * self.head_dim)
        return self.to_out(out)


# --- text encoder (CLIPTextModel) ---------------------------------------------------------


@dataclass
class TextEncoderConfig:
    vocab_size: int
    hidden_size: int = 32
    intermediate_size: int = 64
    num_attention_heads: int = 2
    num_hidden_layers: int = 1
    max_position_embeddings: int = 77
    hidden_act: str = "quick_gelu"
    layer_norm_eps: float = 1e-5
    # SDXL: also output every hidden state (embeddings, then each layer's output before the
    # final LayerNorm) as transformers' output_hidden_states=True returns them
    output_hidden_states: bool = False
    # CLIPTextModelWithProjection: a bias-free text_projection of the pooled state -> text_embeds
    projection_dim: int | None = None


class CLIPEncoderLayer(nn.Module):
    def __init__(self, cfg: TextEncoderConfig) -> None:
        super().__init__()
        h = cfg.hidden_size
        self.layer_norm1 = nn.LayerNorm(h, eps=cfg.layer_norm_eps)
        self.self_attn = Attention(h, h, cfg.num_attention_heads, h // cfg.num_attention_heads, qkv_bias=True)
        self.layer_norm2 = nn.LayerNorm(h, eps=cfg.layer_norm_eps)
        self.fc1 = nn.Linear(h, cfg.intermediate_size)
        self.fc2 = nn.Linear(cfg.intermediate_size, h)
        self.act = quick_gelu if cfg.hidden_act == "quick_gelu" else F.gelu

    def forward(self, x: torch.Tensor, causal: torch.Tensor) -> torch.Tensor:
        x = x + self.self_attn(self.layer_norm1(x), causal=causal)
        return x + self.fc2(self.act(self.fc1(self.layer_norm2(x))))


class TinyCLIPTextModel(nn.Module):
    """input_ids [batch, seq] -> (last_hidden_state [batch, seq, hidden], pooler_output [batch, hidden]).

    With ``output_hidden_states``, the hidden states follow: embeddings, then each layer's
    output (before the final LayerNorm), ``num_hidden_layers + 1`` tensors [batch, seq, hidden].
    With ``projection_dim`` (CLIPTextModelWithProjection) the first output is instead
    ``text_embeds`` [batch, projection_dim] = text_projection(pooled), then last_hidden_state.
    """

    def __init__(self, cfg: TextEncoderConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.token_embedding = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.position_embedding = nn.Embedding(cfg.max_position_embeddings, cfg.hidden_size)
        self.layers = nn.ModuleList(CLIPEncoderLayer(cfg) for _ in range(cfg.num_hidden_layers))
        self.final_layer_norm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        if cfg.projection_dim is not None:
            self.text_projection = nn.Linear(cfg.hidden_size, cfg.projection_dim, bias=False)
        self.register_buffer("position_ids", torch.arange(cfg.max_position_embeddings).unsqueeze(0), persistent=False)

    def forward(self, input_ids: torch.Tensor) -> tuple[torch.Tensor, ...]:
        seq_len = input_ids.shape[1]
        x = self.token_embedding(input_ids.long()) + self.position_embedding(self.position_ids[:, :seq_len])
        idx = torch.arange(seq_len)
        causal = idx.unsqueeze(0) > idx.unsqueeze(1)  # [seq, seq], True above the diagonal
        hidden_states = [x]
        for layer in self.layers:
            x = layer(x, causal)
            hidden_states.append(x)
        x = self.final_layer_norm(x)
        # CLIP pools at the EOS token, which has the largest id: argmax over the ids
        # (cast to int32 first, as transformers does for ONNX's ArgMax).
        eos = input_ids.to(torch.int32).argmax(dim=-1)
        pooled = x[torch.arange(x.shape[0]), eos]
        extra = tuple(hidden_states) if self.cfg.output_hidden_states else ()
        if self.cfg.projection_dim is not None:
            return (self.text_projection(pooled), x, *extra)
        return (x, pooled, *extra)


# --- UNet (UNet2DConditionModel) ----------------------------------------------------------


@dataclass
class UNetConfig:
    block_channels: int = 32
    time_embed_dim: int = 64
    cross_attention_dim: int = 32
    attention_heads: int = 4
    norm_groups: int = 8
    ff_inner: int = 64
    use_linear_projection: bool = False
    time_cond_proj_dim: int | None = None
    rank0_timestep: bool = False
    # SDXL's addition_embed_type "text_time": text_embeds [batch, text_embeds_dim] and
    # time_ids [batch, num_time_ids], each time id embedded sinusoidally in addition_time_embed_dim
    addition_time_embed_dim: int | None = None
    text_embeds_dim: int = 0
    num_time_ids: int = 6
    # 9 for an inpainting UNet: latents (4) + mask (1) + masked-image latents (4); out_sample stays 4
    in_channels: int = 4

    @property
    def projection_class_embeddings_input_dim(self) -> int:
        return self.text_embeds_dim + self.num_time_ids * (self.addition_time_embed_dim or 0)


def timestep_embedding(timesteps: torch.Tensor, dim: int, max_period: float = 10000.0) -> torch.Tensor:
    """diffusers' get_timestep_embedding with flip_sin_to_cos=True, downscale_freq_shift=0."""
    half = dim // 2
    exponent = -math.log(max_period) * torch.arange(half, dtype=torch.float32) / half
    args = timesteps.float().unsqueeze(1) * torch.exp(exponent).unsqueeze(0)
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class ResnetBlock(nn.Module):
    def __init__(self, channels: int, groups: int, temb_dim: int | None) -> None:
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, channels, eps=1e-5)
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb_dim, channels) if temb_dim else None
        self.norm2 = nn.GroupNorm(groups, channels, eps=1e-5)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x: torch.Tensor, temb: torch.Tensor | None = None) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        if self.time_emb_proj is not None and temb is not None:
            h = h + self.time_emb_proj(F.silu(temb)).unsqueeze(-1).unsqueeze(-1)
        h = self.conv2(F.silu(self.norm2(h)))
        return x + h


class Transformer2D(nn.Module):
    """GroupNorm -> proj_in -> [self-attn, cross-attn, GEGLU feed-forward] -> proj_out, residual."""

    def __init__(self, cfg: UNetConfig) -> None:
        super().__init__()
        c = cfg.block_channels
        self.linear = cfg.use_linear_projection
        self.norm = nn.GroupNorm(cfg.norm_groups, c, eps=1e-6)
        self.proj_in = nn.Linear(c, c) if self.linear else nn.Conv2d(c, c, 1)
        heads, head_dim = cfg.attention_heads, c // cfg.attention_heads
        self.norm1 = nn.LayerNorm(c)
        self.attn1 = Attention(c, c, heads, head_dim, qkv_bias=False)
        self.norm2 = nn.LayerNorm(c)
        self.attn2 = Attention(c, cfg.cross_attention_dim, heads, head_dim, qkv_bias=False)
        self.norm3 = nn.LayerNorm(c)
        self.ff_proj = nn.Linear(c, 2 * cfg.ff_inner)
        self.ff_out = nn.Linear(cfg.ff_inner, c)
        self.proj_out = nn.Linear(c, c) if self.linear else nn.Conv2d(c, c, 1)

    def forward(self, x: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        residual = x
        x = self.norm(x)
        if not self.linear:
            x = self.proj_in(x)
        x = x.permute(0, 2, 3, 1).reshape(b, h * w, c)
        if self.linear:
            x = self.proj_in(x)
        x = x + self.attn1(self.norm1(x))
        x = x + self.attn2(self.norm2(x), context)
        hidden, gate = self.ff_proj(self.norm3(x)).chunk(2, dim=-1)
        x = x + self.ff_out(hidden * F.gelu(gate))
        if self.linear:
            x = self.proj_out(x)
        x = x.reshape(b, h, w, c).permute(0, 3, 1, 2)
        if not self.linear:
            x = self.proj_out(x)
        return x + residual


class TimestepEmbedding(nn.Module):
    """diffusers' TimestepEmbedding: linear_1 -> silu -> linear_2."""

    def __init__(self, in_dim: int, dim: int) -> None:
        super().__init__()
        self.linear_1 = nn.Linear(in_dim, dim)
        self.linear_2 = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear_2(F.silu(self.linear_1(x)))


class TinyUNet(nn.Module):
    """(sample, timestep, encoder_hidden_states[, timestep_cond]) -> out_sample."""

    def __init__(self, cfg: UNetConfig) -> None:
        super().__init__()
        self.cfg = cfg
        c = cfg.block_channels
        self.cond_proj = nn.Linear(cfg.time_cond_proj_dim, c, bias=False) if cfg.time_cond_proj_dim else None
        self.time_linear_1 = nn.Linear(c, cfg.time_embed_dim)
        self.time_linear_2 = nn.Linear(cfg.time_embed_dim, cfg.time_embed_dim)
        if cfg.addition_time_embed_dim is not None:
            self.add_embedding = TimestepEmbedding(cfg.projection_class_embeddings_input_dim, cfg.time_embed_dim)
        self.conv_in = nn.Conv2d(cfg.in_channels, c, 3, padding=1)
        self.resnet = ResnetBlock(c, cfg.norm_groups, cfg.time_embed_dim)
        self.attention = Transformer2D(cfg)
        self.conv_norm_out = nn.GroupNorm(cfg.norm_groups, c, eps=1e-5)
        self.conv_out = nn.Conv2d(c, 4, 3, padding=1)

    def forward(
        self,
        sample: torch.Tensor,
        timestep: torch.Tensor,
        encoder_hidden_states: torch.Tensor,
        timestep_cond: torch.Tensor | None = None,
    ) -> torch.Tensor:
        t = timestep
        if self.cfg.rank0_timestep:
            t = t.unsqueeze(0)
        # as diffusers: broadcast the timestep(s) over the batch
        t = t.expand(sample.shape[0])
        t_emb = timestep_embedding(t, self.cfg.block_channels)
        if self.cond_proj is not None and timestep_cond is not None:
            t_emb = t_emb + self.cond_proj(timestep_cond)
        emb = self.time_linear_2(F.silu(self.time_linear_1(t_emb)))
        return self._denoise(sample, emb, encoder_hidden_states)

    def _denoise(self, sample: torch.Tensor, emb: torch.Tensor, encoder_hidden_states: torch.Tensor) -> torch.Tensor:
        h = self.conv_in(sample)
        h = self.resnet(h, emb)
        h = self.attention(h, encoder_hidden_states)
        return self.conv_out(F.silu(self.conv_norm_out(h)))


class TinyUNetXL(TinyUNet):
    """SDXL: (sample, timestep, encoder_hidden_states, text_embeds, time_ids) -> out_sample.

    As diffusers' UNet2DConditionModel with addition_embed_type "text_time": every time id is
    embedded sinusoidally (addition_time_embed_dim, flip_sin_to_cos, freq_shift 0), flattened
    per sample, appended to text_embeds, and through add_embedding added to the time embedding.
    """

    def forward(  # type: ignore[override]
        self,
        sample: torch.Tensor,
        timestep: torch.Tensor,
        encoder_hidden_states: torch.Tensor,
        text_embeds: torch.Tensor,
        time_ids: torch.Tensor,
    ) -> torch.Tensor:
        cfg = self.cfg
        assert cfg.addition_time_embed_dim is not None
        t = timestep.unsqueeze(0) if cfg.rank0_timestep else timestep
        t = t.expand(sample.shape[0])
        emb = self.time_linear_2(F.silu(self.time_linear_1(timestep_embedding(t, cfg.block_channels))))
        time_embeds = timestep_embedding(time_ids.flatten(), cfg.addition_time_embed_dim)
        time_embeds = time_embeds.reshape(text_embeds.shape[0], -1)
        emb = emb + self.add_embedding(torch.cat([text_embeds, time_embeds], dim=-1))
        return self._denoise(sample, emb, encoder_hidden_states)


# --- VAE (AutoencoderKL) ------------------------------------------------------------------


@dataclass
class VaeConfig:
    channels: int = 16
    latent_channels: int = 4
    norm_groups: int = 8
    num_upsamples: int = 3  # len(block_out_channels) - 1
    # Round conv_in's output to float16, standing in for an fp16 VAE's arithmetic where activations pass fp16's
    # range (SDXL's VAE is the real case): values over 65504 become inf and the following GroupNorm makes NaN.
    fp16_activations: bool = False


class TinyVaeDecoder(nn.Module):
    """latent_sample [b, 4, h, w] -> sample [b, 3, 8h, 8w] in (-1, 1)."""

    def __init__(self, cfg: VaeConfig) -> None:
        super().__init__()
        c = cfg.channels
        self.post_quant_conv = nn.Conv2d(cfg.latent_channels, cfg.latent_channels, 1)
        self.conv_in = nn.Conv2d(cfg.latent_channels, c, 3, padding=1)
        self.mid = ResnetBlock(c, cfg.norm_groups, None)
        self.up_convs = nn.ModuleList(nn.Conv2d(c, c, 3, padding=1) for _ in range(cfg.num_upsamples))
        self.conv_norm_out = nn.GroupNorm(cfg.norm_groups, c, eps=1e-6)
        self.conv_out = nn.Conv2d(c, 3, 3, padding=1)
        self.fp16_activations = cfg.fp16_activations

    def forward(self, latent_sample: torch.Tensor) -> torch.Tensor:
        h = self.conv_in(self.post_quant_conv(latent_sample))
        if self.fp16_activations:
            h = h.half().float()
        h = self.mid(h)
        for conv in self.up_convs:
            h = F.silu(conv(F.interpolate(h, scale_factor=2.0, mode="nearest")))
        return torch.tanh(self.conv_out(F.silu(self.conv_norm_out(h))))


class TinyVaeEncoder(nn.Module):
    """sample [b, 3, H, W] -> latent_sample [b, 4, H/8, W/8] (the latent distribution's mean), or with
    ``parameters`` Optimum's latent_parameters [b, 8, H/8, W/8]: mean and log-variance on the channel axis."""

    def __init__(self, cfg: VaeConfig, parameters: bool = False) -> None:
        super().__init__()
        c = cfg.channels
        self.parameters_output = parameters
        self.latent_channels = cfg.latent_channels
        self.conv_in = nn.Conv2d(3, c, 3, padding=1)
        self.down_convs = nn.ModuleList(nn.Conv2d(c, c, 3, stride=2, padding=1) for _ in range(cfg.num_upsamples))
        self.mid = ResnetBlock(c, cfg.norm_groups, None)
        self.conv_norm_out = nn.GroupNorm(cfg.norm_groups, c, eps=1e-6)
        self.conv_out = nn.Conv2d(c, 2 * cfg.latent_channels, 3, padding=1)
        self.quant_conv = nn.Conv2d(2 * cfg.latent_channels, 2 * cfg.latent_channels, 1)

    def forward(self, sample: torch.Tensor) -> torch.Tensor:
        h = self.conv_in(sample)
        for conv in self.down_convs:
            h = F.silu(conv(h))
        h = self.mid(h)
        moments = self.quant_conv(self.conv_out(F.silu(self.conv_norm_out(h))))
        if self.parameters_output:
            # a trained VAE's log-variance is well below 0 (std << |mean|); shift the random one there
            return torch.cat([moments[:, : self.latent_channels], moments[:, self.latent_channels :] - 4.0], dim=1)
        return moments[:, : self.latent_channels]  # mean; [latent_channels:] would be log-variance


# --- deterministic initialisation --------------------------------------------------------


@dataclass
class InitSpec:
    seed: int
    embedding_std: float = 1.0
    bias_std: float = 0.02
    norm_weight_std: float = 0.05
    # extra multiplier for the weights of named submodules (by qualified module name)
    gains: dict[str, float] = field(default_factory=dict)


def init_weights(module: nn.Module, spec: InitSpec) -> None:
    """Re-initialise every parameter from one seeded generator, in named_modules order.

    Independent of torch's default initialisers, so the fixtures don't change when torch does.
    Linear/Conv weights get N(0, gain^2 / fan_in) so activations keep roughly unit scale.
    """
    gen = torch.Generator().manual_seed(spec.seed)

    def normal(t: torch.Tensor, std: float, mean: float = 0.0) -> None:
        with torch.no_grad():
            t.copy_(torch.randn(t.shape, generator=gen) * std + mean)

    for name, sub in module.named_modules():
        gain = spec.gains.get(name, 1.0)
        if isinstance(sub, nn.Embedding):
            normal(sub.weight, spec.embedding_std * gain)
        elif isinstance(sub, (nn.Linear, nn.Conv2d)):
            fan_in = sub.weight[0].numel()
            normal(sub.weight, gain / math.sqrt(fan_in))
            if sub.bias is not None:
                normal(sub.bias, spec.bias_std)
        elif isinstance(sub, (nn.LayerNorm, nn.GroupNorm)):
            normal(sub.weight, spec.norm_weight_std, mean=1.0)
            normal(sub.bias, spec.bias_std)
