"""Loads a trained tiny-shapes folder (the ONNX export `forge.py train` wrote) back into torch, to train it further."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bpe_vocab import Tokenizer
from shapes.export_model import component_graph
from shapes.networks import ShapesUNet, UNetSpec, VaeDecoder, VaeEncoder, VaeSpec
from shapes.onnx_weights import load_onnx_weights
from shapes.scenes import caption_corpus
from tiny_modules import TextEncoderConfig, TinyCLIPTextModel


@dataclass
class TinyShapes:
    """Every part of a tiny-shapes model as the trainer holds it."""

    tokenizer: Tokenizer
    text_cfg: TextEncoderConfig
    text_encoder: TinyCLIPTextModel
    unet_spec: UNetSpec
    unet: ShapesUNet
    vae_spec: VaeSpec
    vae_encoder: VaeEncoder
    vae_decoder: VaeDecoder
    training: dict


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def load_tiny_shapes(folder: Path) -> TinyShapes:
    """The tokenizer is retrained from the grammar with the recorded merge count and must equal the shipped one."""
    training = _json(folder / "training.json")
    tokenizer = Tokenizer(training["settings"]["bpe_merges"], lines=caption_corpus())
    if tokenizer.vocab != _json(folder / "tokenizer" / "vocab.json"):
        raise ValueError(f"{folder}/tokenizer differs from the grammar's BPE with {training['settings']['bpe_merges']} merges")

    text = _json(folder / "text_encoder" / "config.json")
    text_cfg = TextEncoderConfig(
        vocab_size=text["vocab_size"],
        hidden_size=text["hidden_size"],
        intermediate_size=text["intermediate_size"],
        num_attention_heads=text["num_attention_heads"],
        num_hidden_layers=text["num_hidden_layers"],
        hidden_act=text["hidden_act"],
    )
    unet_json = _json(folder / "unet" / "config.json")
    channels = tuple(unet_json["block_out_channels"])
    # As train.py builds it: the timestep embedding is 4 × the first level's width.
    unet_spec = UNetSpec(
        channels=channels,
        cross_attention_dim=unet_json["cross_attention_dim"],
        time_embed_dim=4 * channels[0],
        attention_heads=unet_json["attention_head_dim"],
        latent_channels=unet_json["in_channels"],
    )
    vae_json = _json(folder / "vae_decoder" / "config.json")
    vae_spec = VaeSpec(tuple(vae_json["block_out_channels"]), vae_json["latent_channels"])

    networks = {
        "text_encoder": TinyCLIPTextModel(text_cfg),
        "unet": ShapesUNet(unet_spec),
        "vae_encoder": VaeEncoder(vae_spec),
        "vae_decoder": VaeDecoder(vae_spec),
    }
    for component, module in networks.items():
        trace = lambda m, c=component: component_graph(c, m, text_cfg.hidden_size)  # noqa: E731
        load_onnx_weights(module, folder / component / "model.onnx", trace).eval()
    return TinyShapes(
        tokenizer,
        text_cfg,
        networks["text_encoder"],
        unet_spec,
        networks["unet"],
        vae_spec,
        networks["vae_encoder"],
        networks["vae_decoder"],
        training,
    )
