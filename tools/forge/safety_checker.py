"""A tiny Stable Diffusion safety checker (torch only, so the reference venv can rebuild it).

The module mirrors diffusers' ``StableDiffusionSafetyChecker`` (``pipelines/stable_diffusion/safety_checker.py``):
a CLIP vision tower (transformers' ``CLIPVisionModel``: patch embedding, class token, position embedding,
``pre_layrnorm``, encoder layers, ``post_layernorm`` of the class token), a bias-free ``visual_projection``, 17 concept
embeddings and 3 "special care" embeddings with one threshold each. Parameter names are transformers 5's, so
``StableDiffusionSafetyChecker.load_state_dict(module.state_dict())`` takes them as they are.

``forward`` is ``forward_onnx``, the method diffusers' ONNX conversion script exports, with the same inputs and first
two outputs (``clip_input``, ``images`` -> ``out_images``, ``has_nsfw_concepts``), plus ``special_scores`` and
``concept_scores``: the margins ``forward_onnx`` computes and drops (docs/SAFETY.md, "Scores").

The tower's weights are seeded; the concept embeddings and thresholds are constants chosen from the embeddings of two
known images (see ``KNOWN_IMAGES`` and tools/forge/reference/README.md): the first image of diffusers' goldens for the
``sd15-int32 n=2 euler-ancestral`` case is flagged, the second is not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from tiny_modules import InitSpec, init_weights, quick_gelu

# The images the constants below were chosen for: (golden case, image index, expected verdict).
KNOWN_IMAGES = [
    ("sd15-int32 n=2 euler-ancestral", 0, True),
    ("sd15-int32 n=2 euler-ancestral", 1, False),
]

SEED = 1934
# Position embeddings small beside the patches (as in CLIP), and a strong attention path from the patches to the class
# token: with gain 1 two different fixture images embed at cosine 0.996, with these at 0.98.
TOWER_GAINS = {
    "vision_model.embeddings.position_embedding": 0.1,
    "vision_model.encoder.layers.0.self_attn.v_proj": 3.0,
    "vision_model.encoder.layers.0.self_attn.out_proj": 3.0,
}


@dataclass(frozen=True)
class SafetyCheckerConfig:
    """A CLIPVisionConfig at toy size; image and patch size are ViT-L/14's, so the input is the real [b, 3, 224, 224]."""

    image_size: int = 224
    patch_size: int = 14
    hidden_size: int = 24
    num_attention_heads: int = 2
    intermediate_size: int = 48
    num_hidden_layers: int = 1
    projection_dim: int = 16
    layer_norm_eps: float = 1e-5

    def clip_config(self) -> dict:
        """The ``CLIPConfig`` keyword arguments that build the same module in transformers / diffusers."""
        return {
            "projection_dim": self.projection_dim,
            "vision_config": {
                "image_size": self.image_size,
                "patch_size": self.patch_size,
                "hidden_size": self.hidden_size,
                "num_attention_heads": self.num_attention_heads,
                "intermediate_size": self.intermediate_size,
                "num_hidden_layers": self.num_hidden_layers,
                "projection_dim": self.projection_dim,
                "layer_norm_eps": self.layer_norm_eps,
                "hidden_act": "quick_gelu",
            },
        }


class VisionAttention(nn.Module):
    """transformers' CLIPAttention (no mask): q/k/v/out projections with bias, scale head_dim ** -0.5."""

    def __init__(self, cfg: SafetyCheckerConfig) -> None:
        super().__init__()
        h = cfg.hidden_size
        self.heads = cfg.num_attention_heads
        self.head_dim = h // self.heads
        self.k_proj = nn.Linear(h, h)
        self.v_proj = nn.Linear(h, h)
        self.q_proj = nn.Linear(h, h)
        self.out_proj = nn.Linear(h, h)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, h = x.shape

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.reshape(b, n, self.heads, self.head_dim).transpose(1, 2)

        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
        weights = (torch.matmul(q, k.transpose(-1, -2)) * self.head_dim**-0.5).softmax(dim=-1)
        return self.out_proj(torch.matmul(weights, v).transpose(1, 2).reshape(b, n, h))


class VisionMlp(nn.Module):
    def __init__(self, cfg: SafetyCheckerConfig) -> None:
        super().__init__()
        self.fc1 = nn.Linear(cfg.hidden_size, cfg.intermediate_size)
        self.fc2 = nn.Linear(cfg.intermediate_size, cfg.hidden_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(quick_gelu(self.fc1(x)))


class VisionEncoderLayer(nn.Module):
    def __init__(self, cfg: SafetyCheckerConfig) -> None:
        super().__init__()
        self.self_attn = VisionAttention(cfg)
        self.layer_norm1 = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.mlp = VisionMlp(cfg)
        self.layer_norm2 = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp(self.layer_norm2(x))


class VisionEncoder(nn.Module):
    def __init__(self, cfg: SafetyCheckerConfig) -> None:
        super().__init__()
        self.layers = nn.ModuleList(VisionEncoderLayer(cfg) for _ in range(cfg.num_hidden_layers))


class VisionEmbeddings(nn.Module):
    def __init__(self, cfg: SafetyCheckerConfig) -> None:
        super().__init__()
        self.class_embedding = nn.Parameter(torch.zeros(cfg.hidden_size))
        self.patch_embedding = nn.Conv2d(3, cfg.hidden_size, cfg.patch_size, stride=cfg.patch_size, bias=False)
        self.position_embedding = nn.Embedding((cfg.image_size // cfg.patch_size) ** 2 + 1, cfg.hidden_size)

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        patches = self.patch_embedding(pixel_values).flatten(2).transpose(1, 2)
        cls = self.class_embedding.expand(pixel_values.shape[0], 1, -1)
        return torch.cat([cls, patches], dim=1) + self.position_embedding.weight.unsqueeze(0)


class VisionModel(nn.Module):
    """transformers 5's CLIPVisionModel: returns the pooled (post-LayerNorm class token) output."""

    def __init__(self, cfg: SafetyCheckerConfig) -> None:
        super().__init__()
        self.embeddings = VisionEmbeddings(cfg)
        self.pre_layrnorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.encoder = VisionEncoder(cfg)
        self.post_layernorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        x = self.pre_layrnorm(self.embeddings(pixel_values))
        for layer in self.encoder.layers:
            x = layer(x)
        return self.post_layernorm(x[:, 0, :])


def cosine_distance(image_embeds: torch.Tensor, text_embeds: torch.Tensor) -> torch.Tensor:
    return torch.mm(F.normalize(image_embeds), F.normalize(text_embeds).t())


class TinySafetyChecker(nn.Module):
    def __init__(self, cfg: SafetyCheckerConfig) -> None:
        super().__init__()
        self.vision_model = VisionModel(cfg)
        self.visual_projection = nn.Linear(cfg.hidden_size, cfg.projection_dim, bias=False)
        self.concept_embeds = nn.Parameter(torch.ones(17, cfg.projection_dim), requires_grad=False)
        self.special_care_embeds = nn.Parameter(torch.ones(3, cfg.projection_dim), requires_grad=False)
        self.concept_embeds_weights = nn.Parameter(torch.ones(17), requires_grad=False)
        self.special_care_embeds_weights = nn.Parameter(torch.ones(3), requires_grad=False)

    def image_embeds(self, clip_input: torch.Tensor) -> torch.Tensor:
        return self.visual_projection(self.vision_model(clip_input))

    def forward(self, clip_input: torch.Tensor, images: torch.Tensor) -> tuple[torch.Tensor, ...]:
        # diffusers' StableDiffusionSafetyChecker.forward_onnx, step for step
        image_embeds = self.image_embeds(clip_input)
        special_cos_dist = cosine_distance(image_embeds, self.special_care_embeds)
        cos_dist = cosine_distance(image_embeds, self.concept_embeds)
        adjustment = 0.0
        special_scores = special_cos_dist - self.special_care_embeds_weights + adjustment
        special_care = torch.any(special_scores > 0, dim=1)
        special_adjustment = special_care * 0.01
        special_adjustment = special_adjustment.unsqueeze(1).expand(-1, cos_dist.shape[1])
        concept_scores = (cos_dist - self.concept_embeds_weights) + special_adjustment
        has_nsfw_concepts = torch.any(concept_scores > 0, dim=1)
        images[has_nsfw_concepts] = 0.0
        return images, has_nsfw_concepts, special_scores, concept_scores


# The flagged known image's direction away from the unflagged one, (e_flagged - e_unflagged) / |…| of their unit
# image embeddings, rounded to 4 decimals (tools/forge/reference/README.md, "Safety checker"). Concept 0 and special
# care 0 look along it: cosines are 0.158 for the flagged image and -0.158 for the other, so concept 0 (threshold 0)
# flags the first and special care 0 (threshold 0.1) fires for it too, adding diffusers' 0.01 adjustment.
KNOWN_CONCEPT = [
    0.5329, -0.0936, 0.3969, -0.4809, -0.0192, 0.1222, 0.1125, -0.2508,
    0.229, 0.0075, -0.1672, -0.0146, 0.3095, 0.1179, 0.1343, 0.1387,
]  # fmt: skip
KNOWN_CONCEPT_THRESHOLD = 0.0
KNOWN_SPECIAL_CARE_THRESHOLD = 0.1
# Every other concept and special care embedding: a seeded random direction whose threshold no test image reaches
# (their cosines with the test images stay under 0.51).
OTHER_THRESHOLD = 0.6


def build_safety_checker(cfg: SafetyCheckerConfig | None = None, seed: int = SEED) -> TinySafetyChecker:
    """The fixture's checker: seeded tower weights, then the constant concept embeddings and thresholds."""
    cfg = cfg or SafetyCheckerConfig()
    torch.manual_seed(seed)
    module = TinySafetyChecker(cfg)
    init_weights(module, InitSpec(seed=seed, gains=TOWER_GAINS))
    gen = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        module.vision_model.embeddings.class_embedding.copy_(
            torch.randn(cfg.hidden_size, generator=gen) / math.sqrt(cfg.hidden_size)
        )
        others = torch.randn(18, cfg.projection_dim, generator=gen)
        known = torch.tensor([KNOWN_CONCEPT])
        module.concept_embeds.copy_(torch.cat([known, others[:16]]))
        module.special_care_embeds.copy_(torch.cat([known, others[16:]]))
        module.concept_embeds_weights.copy_(torch.tensor([KNOWN_CONCEPT_THRESHOLD] + [OTHER_THRESHOLD] * 16))
        module.special_care_embeds_weights.copy_(torch.tensor([KNOWN_SPECIAL_CARE_THRESHOLD] + [OTHER_THRESHOLD] * 2))
    return module.eval()
