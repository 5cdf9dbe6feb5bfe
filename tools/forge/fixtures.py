"""Build the fixture model folders (the ``fixtures`` subcommand)."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from pathlib import Path

import onnx
import torch

import layout
from bpe_vocab import Tokenizer, write_json
from export import export_module, make_reproducible, rename_input, save_model, to_float16_io
from tiny_modules import (
    InitSpec,
    TextEncoderConfig,
    TinyCLIPTextModel,
    TinyUNet,
    TinyUNetXL,
    TinyVaeDecoder,
    TinyVaeEncoder,
    UNetConfig,
    VaeConfig,
    init_weights,
)
from tokenizer_json import write_tokenizer_json
from variants import BROKEN, BROKEN_BASE, VARIANTS, TextEncoder2, Variant

BATCH = 2
SEQ = 77
LCM_COND_DIM = 256
UNET_CHANNELS = 24
UNET_HEADS = 3
VAE_CHANNELS = 16
NORM_GROUPS = 8

# Output-scale gains (found once by measuring; hard-coded so builds don't depend on a forward pass):
# unet out_sample std ~1, VAE encoder mean std ~5 (so latents * 0.18215 ~ unit, as in SD).
UNET_GAINS = {"conv_out": 1.75}
# SDXL: a stronger add_embedding so time_ids / text_embeds visibly change the output
# (mean |delta image| ~0.05-0.13 for another size or crop, vs ~0.01-0.05 at gain 1).
UNET_XL_GAINS = {**UNET_GAINS, "add_embedding.linear_2": 3.0}
VAE_ENCODER_GAINS = {"quant_conv": 7.5}
# fp16-vae-upcast: conv_in's output std ~5e4 x the latents' (an SDXL-VAE-like overflow in fp16), while its weights
# (max ~3e4) still fit fp16's 65504.
VAE_OVERFLOW_GAINS = {"conv_in": 5e4}
VAE_UPCAST_GOLDEN_SEED = 42

OPT_BATCH = "batch_size"
OPT_SEQ = "sequence_length"

DUMMY_PROMPT = "a photo of a red cat on a blue background"
SDXL_TIME_IDS = [64.0, 64.0, 0.0, 0.0, 64.0, 64.0]  # original size, crop top-left, target size
SDXL_REFINER_TIME_IDS = [64.0, 64.0, 0.0, 0.0, 6.0]  # original size, crop top-left, aesthetic score


def _finish(model: onnx.ModelProto, variant: Variant, component: str, path: Path) -> None:
    make_reproducible(model, f"{variant.name}_{component}")
    if variant.fp16:
        to_float16_io(model)
    save_model(model, path, variant.external_data.get(component))


def build_text_encoder(variant: Variant, tok: Tokenizer, folder: Path, second: TextEncoder2 | None = None) -> None:
    """text_encoder (CLIPTextModel), or with ``second`` SDXL's text_encoder_2 (with projection)."""
    if second is None:
        hidden, heads, act, layers, projection_dim = (
            variant.text_hidden,
            variant.text_heads,
            variant.text_act,
            variant.text_layers,
            None,
        )
        pad_token, seed, component = variant.pad_token, variant.seed, "text_encoder"
    else:
        hidden, heads, act, layers, projection_dim = (
            second.hidden,
            second.heads,
            second.act,
            second.layers,
            second.projection_dim,
        )
        pad_token, seed, component = second.pad_token, variant.seed + 4, "text_encoder_2"
    cfg = TextEncoderConfig(
        vocab_size=tok.vocab_size,
        hidden_size=hidden,
        intermediate_size=2 * hidden,
        num_attention_heads=heads,
        num_hidden_layers=layers,
        hidden_act=act,
        output_hidden_states=variant.xl,
        projection_dim=projection_dim,
    )
    torch.manual_seed(seed)
    module = TinyCLIPTextModel(cfg)
    init_weights(module, InitSpec(seed=seed))

    pad_id = tok.token_id(pad_token)
    ids = [tok.bos_id, *tok.encode(DUMMY_PROMPT), tok.eos_id]
    ids = ids + [pad_id] * (SEQ - len(ids))
    dtype = torch.int32 if variant.input_ids_dtype == "int32" else torch.int64
    input_ids = torch.tensor([ids, [tok.bos_id, tok.eos_id] + [pad_id] * (SEQ - 2)], dtype=dtype)

    # every variant: Optimum's axis names and output order
    if projection_dim is None:
        outputs = ["last_hidden_state", "pooler_output"]
        axes = {"last_hidden_state": {0: OPT_BATCH, 1: OPT_SEQ}, "pooler_output": {0: OPT_BATCH}}
    else:
        outputs = ["text_embeds", "last_hidden_state"]
        axes = {"text_embeds": {0: OPT_BATCH}, "last_hidden_state": {0: OPT_BATCH, 1: OPT_SEQ}}
    if cfg.output_hidden_states:
        for i in range(layers + 1):
            outputs.append(f"hidden_states.{i}")
            axes[f"hidden_states.{i}"] = {0: OPT_BATCH, 1: OPT_SEQ}
    model = export_module(
        module,
        (input_ids,),
        ["input_ids"],
        outputs,
        {"input_ids": {0: OPT_BATCH, 1: OPT_SEQ}, **axes},
        variant.opset,
    )
    _finish(model, variant, component, folder / "model.onnx")
    write_json(
        folder / "config.json",
        layout.text_encoder_config(
            vocab_size=tok.vocab_size,
            hidden_size=cfg.hidden_size,
            intermediate_size=cfg.intermediate_size,
            num_attention_heads=cfg.num_attention_heads,
            num_hidden_layers=cfg.num_hidden_layers,
            hidden_act=cfg.hidden_act,
            bos_token_id=tok.bos_id,
            eos_token_id=tok.eos_id,
            pad_token_id=pad_id,
            torch_dtype="float16" if variant.fp16 else "float32",
            architecture="CLIPTextModel" if projection_dim is None else "CLIPTextModelWithProjection",
            projection_dim=projection_dim,
        ),
    )


def build_unet(variant: Variant, folder: Path) -> None:
    cfg = UNetConfig(
        block_channels=UNET_CHANNELS,
        cross_attention_dim=variant.cross_attention_dim,
        attention_heads=UNET_HEADS,
        ff_inner=2 * UNET_CHANNELS,
        norm_groups=NORM_GROUPS,
        use_linear_projection=variant.use_linear_projection,
        time_cond_proj_dim=LCM_COND_DIM if variant.lcm else None,
        rank0_timestep=variant.timestep == "int64-rank0",
        addition_time_embed_dim=variant.addition_time_embed_dim if variant.xl else None,
        text_embeds_dim=variant.text_encoder_2.projection_dim if variant.text_encoder_2 else 0,
        num_time_ids=variant.num_time_ids,
        in_channels=variant.unet_in_channels,
    )
    seed = variant.seed + 1
    torch.manual_seed(seed)
    module = TinyUNetXL(cfg) if variant.xl else TinyUNet(cfg)
    init_weights(module, InitSpec(seed=seed, gains=UNET_XL_GAINS if variant.xl else UNET_GAINS))

    gen = torch.Generator().manual_seed(seed)
    sample = torch.randn((BATCH, cfg.in_channels, variant.sample_size, variant.sample_size), generator=gen)
    hidden = torch.randn((BATCH, SEQ, cfg.cross_attention_dim), generator=gen)
    if variant.timestep == "int64-rank0":
        timestep = torch.tensor(999, dtype=torch.int64)
    elif variant.timestep == "int64":
        timestep = torch.tensor([999, 999], dtype=torch.int64)
    else:  # float32 / float16: exported as float32, fp16 is applied afterwards
        timestep = torch.tensor([999.0, 999.0], dtype=torch.float32)

    ax = variant.axes
    batch = ax["batch"]
    names = ["sample", "timestep", "encoder_hidden_states"]
    args: tuple[torch.Tensor, ...] = (sample, timestep, hidden)
    axes: dict[str, dict[int, str]] = {
        "sample": {0: batch, 2: ax["height"], 3: ax["width"]},
        "encoder_hidden_states": {0: batch, 1: ax["sequence"]},
        "out_sample": {0: batch, 2: ax["height"], 3: ax["width"]},
    }
    if variant.timestep != "int64-rank0":
        axes["timestep"] = {0: ax["steps"]}
    if variant.lcm:
        names.append("timestep_cond")
        args = (*args, torch.randn((BATCH, LCM_COND_DIM), generator=gen))
        axes["timestep_cond"] = {0: batch}
    if variant.xl:
        names += ["text_embeds", "time_ids"]
        text_embeds = torch.randn((BATCH, cfg.text_embeds_dim), generator=gen)
        dummy_time_ids = SDXL_TIME_IDS if variant.num_time_ids == len(SDXL_TIME_IDS) else SDXL_REFINER_TIME_IDS
        time_ids = torch.tensor([dummy_time_ids] * BATCH, dtype=torch.float32)
        args = (*args, text_embeds, time_ids)
        axes["text_embeds"] = {0: batch}
        axes["time_ids"] = {0: batch}

    model = export_module(module, args, names, ["out_sample"], axes, variant.opset)
    _finish(model, variant, "unet", folder / "model.onnx")
    write_json(
        folder / "config.json",
        layout.unet_config(
            sample_size=variant.sample_size,
            block_channels=cfg.block_channels,
            cross_attention_dim=cfg.cross_attention_dim,
            attention_head_dim=cfg.block_channels // cfg.attention_heads,
            norm_num_groups=cfg.norm_groups,
            time_embedding_dim=cfg.time_embed_dim,
            use_linear_projection=cfg.use_linear_projection,
            time_cond_proj_dim=cfg.time_cond_proj_dim,
            addition_time_embed_dim=cfg.addition_time_embed_dim,
            projection_class_embeddings_input_dim=cfg.projection_class_embeddings_input_dim if variant.xl else None,
            in_channels=cfg.in_channels,
        ),
    )


def _vae_config_json(variant: Variant) -> dict:
    return layout.vae_config(
        channels=VAE_CHANNELS,
        norm_num_groups=NORM_GROUPS,
        sample_size=8 * variant.sample_size,
        scaling_factor=variant.scaling_factor,
        force_upcast=variant.vae_force_upcast,
    )


def _vae_decoder_module(variant: Variant, fp16_activations: bool) -> TinyVaeDecoder:
    seed = variant.seed + 2
    torch.manual_seed(seed)
    cfg = VaeConfig(channels=VAE_CHANNELS, norm_groups=NORM_GROUPS, fp16_activations=fp16_activations)
    module = TinyVaeDecoder(cfg)
    init_weights(module, InitSpec(seed=seed, gains=VAE_OVERFLOW_GAINS if variant.vae_overflow else {}))
    return module


def build_vae_decoder(variant: Variant, folder: Path, fp32_copy: bool = False) -> None:
    """vae_decoder; with ``fp32_copy`` (vae_overflow variants) the same weights as an fp32 graph."""
    module = _vae_decoder_module(variant, fp16_activations=variant.vae_overflow and not fp32_copy)
    gen = torch.Generator().manual_seed(variant.seed + 2)
    latents = torch.randn((BATCH, 4, variant.sample_size, variant.sample_size), generator=gen)
    ax = variant.axes
    model = export_module(
        module,
        (latents,),
        ["latent_sample"],
        ["sample"],
        {
            "latent_sample": {0: ax["batch"], 2: ax["height_latent"], 3: ax["width_latent"]},
            "sample": {0: ax["batch"], 2: ax["height"], 3: ax["width"]},
        },
        variant.opset,
    )
    if fp32_copy:
        make_reproducible(model, f"{variant.name}_vae_decoder_fp32")
        save_model(model, folder / "model.onnx")
    else:
        _finish(model, variant, "vae_decoder", folder / "model.onnx")
    write_json(folder / "config.json", _vae_config_json(variant))


def write_vae_upcast_golden(variant: Variant, path: Path) -> None:
    """What diffusers' force_upcast decode gives: the fp32 decoder on torch.randn latents, postprocessed to RGB bytes."""
    module = _vae_decoder_module(variant, fp16_activations=False).eval()
    size = variant.sample_size
    latents = torch.randn((1, 4, size, size), generator=torch.Generator().manual_seed(VAE_UPCAST_GOLDEN_SEED))
    with torch.no_grad():
        image = module(latents / variant.scaling_factor)
    # VaeImageProcessor.postprocess: (x / 2 + 0.5).clamp(0, 1) * 255, rounded; HWC
    pixels = ((image / 2 + 0.5).clamp(0, 1) * 255).round().to(torch.uint8)[0].permute(1, 2, 0).contiguous()
    write_json(
        path,
        {
            "variant": variant.name,
            "seed": VAE_UPCAST_GOLDEN_SEED,
            "latentShape": [4, size, size],
            "width": 8 * size,
            "height": 8 * size,
            "pixels": base64.b64encode(pixels.numpy().tobytes()).decode("ascii"),
        },
    )


def build_vae_encoder(variant: Variant, folder: Path) -> None:
    seed = variant.seed + 3
    torch.manual_seed(seed)
    output = variant.vae_encoder_output
    module = TinyVaeEncoder(VaeConfig(channels=VAE_CHANNELS, norm_groups=NORM_GROUPS), output == "latent_parameters")
    init_weights(module, InitSpec(seed=seed, gains=VAE_ENCODER_GAINS))
    gen = torch.Generator().manual_seed(seed)
    size = 8 * variant.sample_size
    image = torch.rand((BATCH, 3, size, size), generator=gen) * 2 - 1
    ax = variant.axes
    model = export_module(
        module,
        (image,),
        ["sample"],
        [output],
        {
            "sample": {0: ax["batch"], 2: ax["height"], 3: ax["width"]},
            output: {0: ax["batch"], 2: ax["height_latent"], 3: ax["width_latent"]},
        },
        variant.opset,
    )
    _finish(model, variant, "vae_encoder", folder / "model.onnx")
    write_json(folder / "config.json", _vae_config_json(variant))


def build_variant(variant: Variant, tok: Tokenizer, out: Path, transformers_python: str) -> Path:
    """One variant's folder; ``transformers_python`` runs tokenizer_json.py for a tokenizer.json-only variant."""
    folder = out / variant.name
    if folder.exists():
        shutil.rmtree(folder)
    sched = layout.SCHEDULERS[variant.scheduler]
    write_json(
        folder / "model_index.json",
        layout.model_index(
            variant.pipeline_class,
            sched["_class_name"],
            variant.vae_encoder,
            variant.null_entries,
            xl=variant.xl,
            force_zeros_for_empty_prompt=variant.force_zeros_for_empty_prompt,
            first_text_encoder=variant.first_text_encoder,
            requires_aesthetics_score=variant.requires_aesthetics_score,
            tokenizer_class="CLIPTokenizerFast" if variant.tokenizer_json_only else "CLIPTokenizer",
        ),
    )
    write_json(folder / "scheduler" / "scheduler_config.json", sched)
    if variant.tokenizer_json_only:
        write_tokenizer_json(tok, folder / "tokenizer", variant.pad_token, transformers_python)
    elif variant.first_text_encoder:
        tok.write(folder / "tokenizer", pad_token=variant.pad_token)
    if variant.first_text_encoder:
        build_text_encoder(variant, tok, folder / "text_encoder")
    if variant.text_encoder_2 is not None:
        tok.write(folder / "tokenizer_2", pad_token=variant.text_encoder_2.pad_token)
        build_text_encoder(variant, tok, folder / "text_encoder_2", variant.text_encoder_2)
    build_unet(variant, folder / "unet")
    build_vae_decoder(variant, folder / "vae_decoder")
    if variant.vae_overflow:
        build_vae_decoder(variant, folder / "vae_decoder_fp32", fp32_copy=True)
    if variant.vae_encoder:
        build_vae_encoder(variant, folder / "vae_encoder")
    return folder


def build_broken(out: Path) -> list[Path]:
    """Copies of the base variant, each broken one way (without its vae_encoder, to stay small)."""
    base = out / BROKEN_BASE
    if not base.is_dir():
        raise FileNotFoundError(f"{base} must be built first")
    root = out / "broken"
    if root.exists():
        shutil.rmtree(root)
    made = []
    for name in BROKEN:
        folder = root / name
        shutil.copytree(base, folder, ignore=shutil.ignore_patterns("vae_encoder"))
        index_path = folder / "model_index.json"
        index = json.loads(index_path.read_text(encoding="utf-8"))
        index.pop("vae_encoder", None)
        write_json(index_path, index)
        unet = folder / "unet" / "model.onnx"
        if name == "missing-unet":
            shutil.rmtree(folder / "unet")
        elif name == "corrupt-unet":
            # 100 deterministic garbage bytes (not a valid ONNX protobuf)
            unet.write_bytes(_garbage(100))
        elif name == "wrong-unet-input":
            model = onnx.load(str(unet))
            rename_input(model, "encoder_hidden_states", "text_states")
            save_model(model, unet)
        made.append(folder)
    return made


def _garbage(n: int) -> bytes:
    data = b""
    block = b"stipple corrupt unet"
    while len(data) < n:
        block = hashlib.sha256(block).digest()
        data += block
    return data[:n]
