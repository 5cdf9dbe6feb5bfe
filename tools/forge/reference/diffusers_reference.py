"""Golden images from Hugging Face diffusers' own code, for the engine's parity test.

Runs `StableDiffusionPipeline.__call__`'s loop (`StableDiffusionXLPipeline.__call__`'s for the
sdxl fixture) step for step on the tiny ONNX fixtures in `test/fixtures/models/`, with ONNX Runtime sessions in place of the torch modules (as diffusers'
`OnnxStableDiffusionPipeline` does) but with torch CPU generators, one per image seeded seed + i,
for the initial latents and the schedulers' noise. Everything the loop computes comes from
diffusers, imported from a source tree given with `--diffusers-src` (never copied here):

- the schedulers: `XScheduler.from_config(scheduler_config.json, **overrides)`;
- `StableDiffusionPipeline.prepare_latents`, `.prepare_extra_step_kwargs`,
  `.get_guidance_scale_embedding`, and the module functions `retrieve_timesteps` and
  `rescale_noise_cfg`, loaded from `pipelines/stable_diffusion/pipeline_stable_diffusion.py`, and
  the same methods plus `_get_add_time_ids` of `StableDiffusionXLPipeline` (the pipeline modules
  do not import on old torch, so the functions are compiled from their source into a namespace
  with the names they use);
- `utils.torch_utils.randn_tensor` and `image_processor.VaeImageProcessor.postprocess`.

Token ids come from transformers' `CLIPTokenizer` loaded from each fixture's `tokenizer/` folder
(and `tokenizer_2/`).
The output is `test/fixtures/goldens/diffusers-parity.json`; see README.md next to this file.
"""

import __future__

import argparse
import ast
import base64
import inspect
import json
import logging
import platform
import re
import subprocess
import sys
import types
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_MODELS = REPO_ROOT / "test" / "fixtures" / "models"
DEFAULT_OUT = REPO_ROOT / "test" / "fixtures" / "goldens" / "diffusers-parity.json"

PROMPT = "a red fox sitting in the snow, highly detailed photo"
NEGATIVE = "blurry, low quality, watermark"

# Stipple's scheduler names → the diffusers class and the config keys each name pins (the rest
# comes from the model's scheduler_config.json, as `XScheduler.from_config(config)`).
SCHEDULERS = {
    "euler": ("EulerDiscreteScheduler", "scheduling_euler_discrete", {}),
    "euler-ancestral": ("EulerAncestralDiscreteScheduler", "scheduling_euler_ancestral_discrete", {}),
    "ddim": ("DDIMScheduler", "scheduling_ddim", {}),
    "dpmpp-2m": (
        "DPMSolverMultistepScheduler",
        "scheduling_dpmsolver_multistep",
        {"algorithm_type": "dpmsolver++", "solver_order": 2, "use_karras_sigmas": False},
    ),
    "dpmpp-2m-karras": (
        "DPMSolverMultistepScheduler",
        "scheduling_dpmsolver_multistep",
        {"algorithm_type": "dpmsolver++", "solver_order": 2, "use_karras_sigmas": True},
    ),
    "lcm": ("LCMScheduler", "scheduling_lcm", {}),
}

# What the engine runs when a request names no scheduler: the model's own class, or euler for
# classes it does not implement (PNDMScheduler). diffusers itself would run PNDM there.
DEFAULT_SCHEDULER_FOR_CLASS = {
    "EulerDiscreteScheduler": "euler",
    "EulerAncestralDiscreteScheduler": "euler-ancestral",
    "DDIMScheduler": "ddim",
    "LCMScheduler": "lcm",
    "PNDMScheduler": "euler",
}


def case(name, variant, *, scheduler=None, negative=NEGATIVE, **settings):
    """One golden request. `scheduler=None` means the model's default (the request omits it)."""
    request = {
        "variant": variant,
        "prompt": settings.pop("prompt", PROMPT),
        "negativePrompt": negative,
        "width": settings.pop("width", 48),
        "height": settings.pop("height", 40),
        "steps": settings.pop("steps"),
        "guidance": settings.pop("guidance", 7.5),
        "guidanceRescale": settings.pop("guidance_rescale", 0.0),
        "scheduler": scheduler,
        "seed": settings.pop("seed"),
        "n": settings.pop("n", 1),
    }
    assert not settings, settings
    return {"name": name, "request": request}


CASES = [
    case("sd15-int32 euler", "sd15-int32", scheduler="euler", steps=5, seed=42),
    case("sd15-int32 euler-ancestral", "sd15-int32", scheduler="euler-ancestral", steps=5, seed=43),
    case("sd15-int32 ddim", "sd15-int32", scheduler="ddim", steps=5, seed=44),
    case("sd15-int32 dpmpp-2m", "sd15-int32", scheduler="dpmpp-2m", steps=6, seed=45),
    case("sd15-int32 dpmpp-2m-karras", "sd15-int32", scheduler="dpmpp-2m-karras", steps=6, seed=46),
    case("sd15-int32 default scheduler (PNDM config, euler)", "sd15-int32", steps=4, seed=47),
    case("sd15-int32 no guidance (1)", "sd15-int32", scheduler="euler", steps=4, guidance=1.0, seed=48),
    case(
        "sd15-int32 guidance rescale 0.7",
        "sd15-int32",
        scheduler="euler",
        steps=4,
        guidance_rescale=0.7,
        seed=49,
    ),
    case("sd15-int32 n=2 euler-ancestral", "sd15-int32", scheduler="euler-ancestral", steps=4, n=2, seed=50),
    case(
        "sd15-int32 dpmpp-2m-karras n=2, 48x64",
        "sd15-int32",
        scheduler="dpmpp-2m-karras",
        steps=5,
        n=2,
        width=48,
        height=64,
        seed=4294967295,
    ),
    case("sd15-int32 lcm scheduler with CFG", "sd15-int32", scheduler="lcm", steps=4, guidance=1.5, seed=51),
    case("sd15-int64-float-timestep default (ddim)", "sd15-int64-float-timestep", steps=5, seed=52),
    case("rank0-timestep default (euler)", "rank0-timestep", steps=4, seed=53),
    case("rank0-timestep n=2 euler-ancestral", "rank0-timestep", scheduler="euler-ancestral", steps=3, n=2, seed=54),
    case("sd2-v-prediction default (ddim)", "sd2-v-prediction", steps=5, width=64, height=64, seed=55),
    case(
        "sd2-v-prediction euler-ancestral rescale 0.7",
        "sd2-v-prediction",
        scheduler="euler-ancestral",
        steps=4,
        guidance_rescale=0.7,
        seed=56,
    ),
    case("sd2-v-prediction dpmpp-2m", "sd2-v-prediction", scheduler="dpmpp-2m", steps=5, seed=57),
    case("fp16 default scheduler (PNDM config, euler)", "fp16", steps=4, seed=58),
    case("fp16 euler-ancestral", "fp16", scheduler="euler-ancestral", steps=4, seed=59),
    case("external-data default (euler-ancestral trailing) 1 step", "external-data", steps=1, guidance=0.0, seed=60),
    case("external-data 2 steps n=2", "external-data", steps=2, guidance=0.0, n=2, seed=61),
    case("lcm default (lcm) 4 steps", "lcm", steps=4, guidance=8.5, seed=62),
    case("lcm n=2", "lcm", steps=4, guidance=8.5, n=2, seed=63),
    # SDXL: negative=None is diffusers' default, zeroed negatives under force_zeros_for_empty_prompt.
    case(
        "sdxl default (euler), zero negatives",
        "sdxl",
        negative=None,
        steps=4,
        guidance=5.0,
        width=40,
        height=32,
        seed=64,
    ),
    case(
        "sdxl negative prompt, euler-ancestral n=2, rescale 0.7",
        "sdxl",
        scheduler="euler-ancestral",
        steps=4,
        guidance=5.0,
        guidance_rescale=0.7,
        n=2,
        width=40,
        height=32,
        seed=65,
    ),
    case(
        "sdxl empty negative prompt, dpmpp-2m-karras",
        "sdxl",
        negative="",
        scheduler="dpmpp-2m-karras",
        steps=5,
        guidance=5.0,
        width=40,
        height=32,
        seed=66,
    ),
    # LCM-LoRA fused into an ordinary UNet (no time_cond_proj_dim): at guidance 1 diffusers' do_classifier_free_guidance
    # is false (one UNet pass per step, no negative prompt); above 1 it runs real CFG, as for any SD UNet.
    case("lcm-lora default (lcm) guidance 1", "lcm-lora", steps=4, guidance=1.0, seed=67),
    case("lcm-lora guidance 1.5 (real CFG) n=2", "lcm-lora", steps=4, guidance=1.5, n=2, seed=68),
    # tokenizer/ with tokenizer.json alone: transformers' CLIPTokenizerFast reads it (Model, below).
    case("tokenizer-json default (PNDM config, euler)", "tokenizer-json", steps=4, seed=69),
    case(
        "tokenizer-json euler-ancestral, mixed case and spacing",
        "tokenizer-json",
        prompt="A  Red FOX's portrait,\tsitting in 4k snow: highly-detailed PHOTO",
        scheduler="euler-ancestral",
        steps=4,
        seed=90,
    ),
]


# ---------------------------------------------------------------------------------------------
# diffusers import


def patch_old_torch(torch):
    """diffusers' utils/torch_utils.py reads torch.xpu / torch.mps functions at import; torch 1.13 lacks some."""

    def noop(*_args, **_kwargs):
        return None

    stubs = {
        "xpu": {"empty_cache": noop, "device_count": lambda: 0, "manual_seed": noop, "is_available": lambda: False},
        "mps": {"empty_cache": noop, "manual_seed": noop},
    }
    for module_name, functions in stubs.items():
        module = getattr(torch, module_name, None)
        if module is None:
            module = types.SimpleNamespace()
            setattr(torch, module_name, module)
        for function_name, function in functions.items():
            if not hasattr(module, function_name):
                setattr(module, function_name, function)


def compile_functions(source_file: Path, names, namespace, class_name=None):
    """Compiles the named top-level functions (or methods of `class_name`) of a diffusers source file."""
    tree = ast.parse(source_file.read_text(), filename=str(source_file))
    body = tree.body
    if class_name is not None:
        body = next(node for node in body if isinstance(node, ast.ClassDef) and node.name == class_name).body
    found = {}
    for node in body:
        if isinstance(node, ast.FunctionDef) and node.name in names:
            module = ast.Module(body=[node], type_ignores=[])
            code = compile(module, str(source_file), "exec", flags=__future__.annotations.compiler_flag)
            exec(code, namespace)  # noqa: S102 - diffusers' own source, by design
            found[node.name] = namespace[node.name]
    missing = set(names) - set(found)
    if missing:
        raise SystemExit(f"{source_file}: could not find {sorted(missing)}")
    return found


class Diffusers:
    """The parts of diffusers the reference uses."""

    def __init__(self, src: Path):
        import torch

        patch_old_torch(torch)
        sys.path.insert(0, str(src))
        import diffusers
        from diffusers.image_processor import VaeImageProcessor
        from diffusers.utils.torch_utils import randn_tensor

        self.torch = torch
        self.version = diffusers.__version__
        self.path = Path(diffusers.__file__).resolve().parent
        self.VaeImageProcessor = VaeImageProcessor
        pipeline_file = self.path / "pipelines" / "stable_diffusion" / "pipeline_stable_diffusion.py"
        namespace = {
            "torch": torch,
            "np": np,
            "inspect": inspect,
            "randn_tensor": randn_tensor,
            "logger": logging.getLogger("diffusers_reference"),
        }
        functions = compile_functions(pipeline_file, ["retrieve_timesteps", "rescale_noise_cfg"], namespace)
        self.retrieve_timesteps = functions["retrieve_timesteps"]
        self.rescale_noise_cfg = functions["rescale_noise_cfg"]
        self.pipeline_methods = compile_functions(
            pipeline_file,
            ["prepare_latents", "prepare_extra_step_kwargs", "get_guidance_scale_embedding"],
            namespace,
            class_name="StableDiffusionPipeline",
        )
        xl_pipeline_file = self.path / "pipelines" / "stable_diffusion_xl" / "pipeline_stable_diffusion_xl.py"
        self.xl_pipeline_methods = compile_functions(
            xl_pipeline_file,
            ["prepare_latents", "prepare_extra_step_kwargs", "get_guidance_scale_embedding", "_get_add_time_ids"],
            dict(namespace),
            class_name="StableDiffusionXLPipeline",
        )

    def scheduler(self, name: str, config: dict):
        import importlib

        class_name, module_name, overrides = SCHEDULERS[name]
        module = importlib.import_module(f"diffusers.schedulers.{module_name}")
        return getattr(module, class_name).from_config(config, **overrides)


# ---------------------------------------------------------------------------------------------
# ONNX modules


ORT_TO_NP = {
    "tensor(float)": np.float32,
    "tensor(float16)": np.float16,
    "tensor(double)": np.float64,
    "tensor(int32)": np.int32,
    "tensor(int64)": np.int64,
}


class OnnxModule:
    """An ONNX graph called like the torch module it replaces: torch tensors in, float32 torch tensors out."""

    def __init__(self, path: Path):
        import onnxruntime as ort

        self.session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        self.inputs = {i.name: i for i in self.session.get_inputs()}
        self.output_names = [o.name for o in self.session.get_outputs()]

    def input_dtype(self, name):
        return ORT_TO_NP[self.inputs[name].type]

    def input_rank(self, name):
        return len(self.inputs[name].shape)

    def run(self, feeds):
        import torch

        # numpy `astype`: float → integer truncates toward zero; float32 → float16 rounds to nearest even.
        # (Not np.ascontiguousarray, which turns a rank-0 timestep into shape [1].)
        feeds = {name: np.array(value).astype(self.input_dtype(name)) for name, value in feeds.items()}
        outputs = self.session.run(None, feeds)
        return [torch.from_numpy(np.asarray(output, dtype=np.float32)) for output in outputs]


def load_tokenizer(folder: Path, text_encoder_config: dict):
    """transformers' CLIPTokenizer from vocab.json and merges.txt, or CLIPTokenizerFast from tokenizer.json alone.

    Without tokenizer_config.json transformers leaves `model_max_length` at its "unset" 1e30, and diffusers'
    `encode_prompt`, which pads to it, fails (OverflowError); the engine then takes the text encoder's
    `max_position_embeddings`, and so does the reference, so that the case pins the rest of the pipeline."""
    from transformers import CLIPTokenizer, CLIPTokenizerFast

    tokenizer_class = CLIPTokenizer if (folder / "vocab.json").is_file() else CLIPTokenizerFast
    tokenizer = tokenizer_class.from_pretrained(str(folder))
    tokenizer.model_max_length = min(tokenizer.model_max_length, text_encoder_config["max_position_embeddings"])
    return tokenizer


class Model:
    """A fixture's modules. SDXL's refiner has no `text_encoder` (nor `tokenizer`): its `tokenizers` and
    `text_encoders` are the second ones alone, as diffusers' SDXL pipelines list them when `text_encoder` is None."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.model_index = json.loads((directory / "model_index.json").read_text())
        self.tokenizers, self.text_encoders = [], []
        self.text_encoder = None
        if (directory / "text_encoder").is_dir():
            config = json.loads((directory / "text_encoder" / "config.json").read_text())
            self.tokenizers.append(load_tokenizer(directory / "tokenizer", config))
            self.text_encoder = OnnxModule(directory / "text_encoder" / "model.onnx")
            self.text_encoders.append(self.text_encoder)
        self.xl = (directory / "text_encoder_2").is_dir()
        if self.xl:
            self.text_encoder_2_config = json.loads((directory / "text_encoder_2" / "config.json").read_text())
            self.tokenizer_2 = load_tokenizer(directory / "tokenizer_2", self.text_encoder_2_config)
            self.text_encoder_2 = OnnxModule(directory / "text_encoder_2" / "model.onnx")
            self.tokenizers.append(self.tokenizer_2)
            self.text_encoders.append(self.text_encoder_2)
        # The first tokenizer's ids are the ones the case records (the engine's prompt window).
        self.tokenizer = self.tokenizers[0]
        self.unet = OnnxModule(directory / "unet" / "model.onnx")
        self.vae_decoder = OnnxModule(directory / "vae_decoder" / "model.onnx")
        self.unet_config = json.loads((directory / "unet" / "config.json").read_text())
        self.vae_config = json.loads((directory / "vae_decoder" / "config.json").read_text())
        self.scheduler_config = json.loads((directory / "scheduler" / "scheduler_config.json").read_text())

    def encode_text(self, input_ids):
        """text_encoder(input_ids)[0]: last_hidden_state."""
        assert self.text_encoder.output_names[0] == "last_hidden_state", self.text_encoder.output_names
        return self.text_encoder.run({"input_ids": input_ids.numpy()})[0]

    @staticmethod
    def encode_text_with_hidden_states(text_encoder: OnnxModule, input_ids):
        """text_encoder(input_ids, output_hidden_states=True): (output[0], hidden_states) from Optimum's outputs
        (`last_hidden_state` or `text_embeds` first, then `hidden_states.0` … `hidden_states.N`)."""
        outputs = dict(zip(text_encoder.output_names, text_encoder.run({"input_ids": input_ids.numpy()})))
        layers = sorted(int(name.split(".")[1]) for name in outputs if name.startswith("hidden_states."))
        assert layers == list(range(len(layers))), layers
        return outputs[text_encoder.output_names[0]], [outputs[f"hidden_states.{i}"] for i in layers]

    def unet_forward(self, sample, t, encoder_hidden_states, timestep_cond=None, added_cond_kwargs=None):
        """unet(sample, t, encoder_hidden_states, timestep_cond)[0]. The timestep is [batch] filled with t (rank 0
        where the graph declares rank 0), cast to the graph's type: numpy `astype`, i.e. integer graphs truncate."""
        batch = sample.shape[0]
        shape = () if self.unet.input_rank("timestep") == 0 else (batch,)
        timestep = np.full(shape, t.numpy())
        feeds = {
            "sample": sample.numpy(),
            "timestep": timestep,
            "encoder_hidden_states": encoder_hidden_states.numpy(),
        }
        if timestep_cond is not None:
            feeds["timestep_cond"] = timestep_cond.numpy()
        for name, value in (added_cond_kwargs or {}).items():
            feeds[name] = value.numpy()
        return self.unet.run(feeds)[0]

    def vae_decode(self, latents):
        return self.vae_decoder.run({"latent_sample": latents.numpy()})[0]


# ---------------------------------------------------------------------------------------------
# StableDiffusionPipeline.__call__, with the ONNX modules


class ReferencePipeline:
    """Holds what diffusers' pipeline methods read from `self`: the scheduler, vae_scale_factor, and for SDXL's
    `_get_add_time_ids` the UNet's config and `add_embedding.linear_1.in_features`. Its methods are
    StableDiffusionPipeline's, or StableDiffusionXLPipeline's for a model with two text encoders."""

    def __init__(self, diffusers: Diffusers, model: Model, scheduler):
        self.scheduler = scheduler
        self.vae_scale_factor = 2 ** (len(model.vae_config["block_out_channels"]) - 1)
        unet_config = model.unet_config
        linear_1 = types.SimpleNamespace(in_features=unet_config.get("projection_class_embeddings_input_dim"))
        self.unet = types.SimpleNamespace(
            config=types.SimpleNamespace(**unet_config), add_embedding=types.SimpleNamespace(linear_1=linear_1)
        )
        methods = diffusers.xl_pipeline_methods if model.xl else diffusers.pipeline_methods
        for name, function in methods.items():
            setattr(self, name, types.MethodType(function, self))


def encode_prompt(model: Model, torch, prompt, num_images_per_prompt, do_classifier_free_guidance, negative_prompt):
    """StableDiffusionPipeline.encode_prompt for a single string prompt, no clip_skip, no attention mask."""
    tokenizer = model.tokenizer
    text_inputs = tokenizer(
        prompt, padding="max_length", max_length=tokenizer.model_max_length, truncation=True, return_tensors="np"
    )
    text_input_ids = torch.from_numpy(text_inputs.input_ids)
    prompt_embeds = model.encode_text(text_input_ids)
    bs_embed, seq_len, _ = prompt_embeds.shape
    prompt_embeds = prompt_embeds.repeat(1, num_images_per_prompt, 1)
    prompt_embeds = prompt_embeds.view(bs_embed * num_images_per_prompt, seq_len, -1)

    negative_prompt_embeds = None
    if do_classifier_free_guidance:
        uncond_tokens = [""] if negative_prompt is None else [negative_prompt]
        max_length = prompt_embeds.shape[1]
        uncond_input = tokenizer(
            uncond_tokens, padding="max_length", max_length=max_length, truncation=True, return_tensors="np"
        )
        negative_prompt_embeds = model.encode_text(torch.from_numpy(uncond_input.input_ids))
        seq_len = negative_prompt_embeds.shape[1]
        negative_prompt_embeds = negative_prompt_embeds.repeat(1, num_images_per_prompt, 1)
        negative_prompt_embeds = negative_prompt_embeds.view(1 * num_images_per_prompt, seq_len, -1)
    return prompt_embeds, negative_prompt_embeds, text_inputs.input_ids[0].tolist()


def encode_prompt_xl(model: Model, torch, prompt, num_images_per_prompt, do_classifier_free_guidance, negative_prompt):
    """StableDiffusionXLPipeline.encode_prompt (StableDiffusionXLImg2ImgPipeline's is the same) for a single string
    prompt (prompt_2 = prompt, negative_prompt_2 = negative_prompt), no clip_skip: the encoders' hidden_states[-2]
    concatenated (text_encoder_2's alone for the refiner), the pooled output from the encoder whose first output has
    rank 2 (text_encoder_2's text_embeds), zeros for a None negative prompt under force_zeros_for_empty_prompt."""
    tokenizers = model.tokenizers
    text_encoders = model.text_encoders
    batch_size = 1

    pooled_prompt_embeds = None
    prompt_embeds_list = []
    for tokenizer, text_encoder in zip(tokenizers, text_encoders):
        text_inputs = tokenizer(
            [prompt], padding="max_length", max_length=tokenizer.model_max_length, truncation=True, return_tensors="np"
        )
        input_ids = torch.from_numpy(text_inputs.input_ids)
        first, hidden_states = model.encode_text_with_hidden_states(text_encoder, input_ids)
        if pooled_prompt_embeds is None and first.ndim == 2:
            pooled_prompt_embeds = first
        prompt_embeds_list.append(hidden_states[-2])
    prompt_embeds = torch.concat(prompt_embeds_list, dim=-1)

    negative_prompt_embeds = negative_pooled_prompt_embeds = None
    zero_out_negative_prompt = negative_prompt is None and model.model_index.get("force_zeros_for_empty_prompt", False)
    if do_classifier_free_guidance and zero_out_negative_prompt:
        negative_prompt_embeds = torch.zeros_like(prompt_embeds)
        negative_pooled_prompt_embeds = torch.zeros_like(pooled_prompt_embeds)
    elif do_classifier_free_guidance:
        negative_prompt = negative_prompt or ""
        uncond_tokens = [[negative_prompt], [negative_prompt]]
        negative_prompt_embeds_list = []
        for tokens, tokenizer, text_encoder in zip(uncond_tokens, tokenizers, text_encoders):
            max_length = prompt_embeds.shape[1]
            uncond_input = tokenizer(
                tokens, padding="max_length", max_length=max_length, truncation=True, return_tensors="np"
            )
            first, hidden_states = model.encode_text_with_hidden_states(
                text_encoder, torch.from_numpy(uncond_input.input_ids)
            )
            if negative_pooled_prompt_embeds is None and first.ndim == 2:
                negative_pooled_prompt_embeds = first
            negative_prompt_embeds_list.append(hidden_states[-2])
        negative_prompt_embeds = torch.concat(negative_prompt_embeds_list, dim=-1)

    bs_embed, seq_len, _ = prompt_embeds.shape
    prompt_embeds = prompt_embeds.repeat(1, num_images_per_prompt, 1)
    prompt_embeds = prompt_embeds.view(bs_embed * num_images_per_prompt, seq_len, -1)
    if do_classifier_free_guidance:
        seq_len = negative_prompt_embeds.shape[1]
        negative_prompt_embeds = negative_prompt_embeds.repeat(1, num_images_per_prompt, 1)
        negative_prompt_embeds = negative_prompt_embeds.view(batch_size * num_images_per_prompt, seq_len, -1)
    pooled_prompt_embeds = pooled_prompt_embeds.repeat(1, num_images_per_prompt).view(
        bs_embed * num_images_per_prompt, -1
    )
    if do_classifier_free_guidance:
        negative_pooled_prompt_embeds = negative_pooled_prompt_embeds.repeat(1, num_images_per_prompt).view(
            bs_embed * num_images_per_prompt, -1
        )
    ids = model.tokenizer(prompt, padding="max_length", max_length=model.tokenizer.model_max_length, truncation=True)
    return prompt_embeds, negative_prompt_embeds, pooled_prompt_embeds, negative_pooled_prompt_embeds, ids.input_ids


def image_results(seeds, pil_images, latents, width, height) -> list:
    """Per image: its seed, size, base64 RGB pixels and the final latents' sum |x| and mean."""
    images = []
    for i, (seed, pil_image) in enumerate(zip(seeds, pil_images)):
        pixels = np.asarray(pil_image.convert("RGB"), dtype=np.uint8)
        assert pixels.shape == (height, width, 3), pixels.shape
        image_latents = latents[i].double()
        images.append(
            {
                "seed": seed,
                "width": width,
                "height": height,
                "pixels": base64.b64encode(pixels.tobytes()).decode("ascii"),
                "latents": {
                    "sumAbs": float(image_latents.abs().sum()),
                    "mean": float(image_latents.mean()),
                },
            }
        )
    return images


def run_case(diffusers: Diffusers, models_dir: Path, spec: dict) -> dict:
    torch = diffusers.torch
    request = spec["request"]
    model = Model(models_dir / request["variant"])
    class_name = model.scheduler_config["_class_name"]
    scheduler_name = request["scheduler"] or DEFAULT_SCHEDULER_FOR_CLASS[class_name]
    scheduler = diffusers.scheduler(scheduler_name, model.scheduler_config)
    pipe = ReferencePipeline(diffusers, model, scheduler)

    prompt, negative_prompt = request["prompt"], request["negativePrompt"]
    height, width = request["height"], request["width"]
    num_inference_steps = request["steps"]
    guidance_scale = request["guidance"]
    guidance_rescale = request["guidanceRescale"]
    num_images_per_prompt = request["n"]
    batch_size = 1
    eta = 0.0
    device = torch.device("cpu")
    seeds = [(request["seed"] + i) % 2**32 for i in range(num_images_per_prompt)]
    generator = [torch.Generator("cpu").manual_seed(seed) for seed in seeds]

    time_cond_proj_dim = model.unet_config.get("time_cond_proj_dim")
    do_classifier_free_guidance = guidance_scale > 1 and time_cond_proj_dim is None

    added_cond_kwargs = None
    if not model.xl:
        prompt_embeds, negative_prompt_embeds, prompt_ids = encode_prompt(
            model, torch, prompt, num_images_per_prompt, do_classifier_free_guidance, negative_prompt
        )
        if do_classifier_free_guidance:
            prompt_embeds = torch.cat([negative_prompt_embeds, prompt_embeds])
    else:
        # StableDiffusionXLPipeline.__call__: text_embeds and time_ids (original = target = (height, width), crop
        # (0, 0)) join the UNet inputs; negatives use the same time ids.
        prompt_embeds, negative_prompt_embeds, pooled_prompt_embeds, negative_pooled_prompt_embeds, prompt_ids = (
            encode_prompt_xl(model, torch, prompt, num_images_per_prompt, do_classifier_free_guidance, negative_prompt)
        )
        add_text_embeds = pooled_prompt_embeds
        add_time_ids = pipe._get_add_time_ids(
            (height, width),
            (0, 0),
            (height, width),
            dtype=prompt_embeds.dtype,
            text_encoder_projection_dim=model.text_encoder_2_config["projection_dim"],
        )
        negative_add_time_ids = add_time_ids
        if do_classifier_free_guidance:
            prompt_embeds = torch.cat([negative_prompt_embeds, prompt_embeds], dim=0)
            add_text_embeds = torch.cat([negative_pooled_prompt_embeds, add_text_embeds], dim=0)
            add_time_ids = torch.cat([negative_add_time_ids, add_time_ids], dim=0)
        add_time_ids = add_time_ids.repeat(batch_size * num_images_per_prompt, 1)
        added_cond_kwargs = {"text_embeds": add_text_embeds, "time_ids": add_time_ids}

    timesteps, num_inference_steps = diffusers.retrieve_timesteps(scheduler, num_inference_steps, device)

    latents = pipe.prepare_latents(
        batch_size * num_images_per_prompt,
        model.unet_config["in_channels"],
        height,
        width,
        prompt_embeds.dtype,
        device,
        generator,
        None,
    )
    extra_step_kwargs = pipe.prepare_extra_step_kwargs(generator, eta)

    timestep_cond = None
    if time_cond_proj_dim is not None:
        guidance_scale_tensor = torch.tensor(guidance_scale - 1).repeat(batch_size * num_images_per_prompt)
        timestep_cond = pipe.get_guidance_scale_embedding(guidance_scale_tensor, embedding_dim=time_cond_proj_dim).to(
            device=device, dtype=latents.dtype
        )

    if model.xl and hasattr(scheduler, "set_begin_index"):
        scheduler.set_begin_index(0)
    for t in timesteps:
        latent_model_input = torch.cat([latents] * 2) if do_classifier_free_guidance else latents
        if hasattr(scheduler, "scale_model_input"):
            latent_model_input = scheduler.scale_model_input(latent_model_input, t)
        noise_pred = model.unet_forward(latent_model_input, t, prompt_embeds, timestep_cond, added_cond_kwargs)
        if do_classifier_free_guidance:
            noise_pred_uncond, noise_pred_text = noise_pred.chunk(2)
            noise_pred = noise_pred_uncond + guidance_scale * (noise_pred_text - noise_pred_uncond)
        if do_classifier_free_guidance and guidance_rescale > 0.0:
            noise_pred = diffusers.rescale_noise_cfg(noise_pred, noise_pred_text, guidance_rescale=guidance_rescale)
        latents = scheduler.step(noise_pred, t, latents, **extra_step_kwargs, return_dict=False)[0]

    image = model.vae_decode(latents / model.vae_config["scaling_factor"])
    processor = diffusers.VaeImageProcessor(vae_scale_factor=pipe.vae_scale_factor)
    pil_images = processor.postprocess(image, output_type="pil", do_denormalize=[True] * image.shape[0])

    images = image_results(seeds, pil_images, latents, width, height)
    return {
        "name": spec["name"],
        "request": request,
        "reference": {
            "schedulerClass": type(scheduler).__name__,
            "schedulerName": scheduler_name,
            "modelSchedulerClass": class_name,
            "timesteps": [float(t) for t in timesteps],
            "initNoiseSigma": float(scheduler.init_noise_sigma),
            "classifierFreeGuidance": do_classifier_free_guidance,
            "promptIds": prompt_ids[: prompt_ids.index(model.tokenizer.eos_token_id) + 1],
        },
        "images": images,
    }


def diffusers_commit(src: Path, given: str | None) -> str | None:
    if given:
        return given
    try:
        return subprocess.run(
            ["git", "-C", str(src), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def format_json(value) -> str:
    """Indented JSON with lists of numbers kept on one line."""
    text = json.dumps(value, indent=1)
    number_list = re.compile(r"\[[\d\s,.eE+-]+\]")
    return number_list.sub(lambda match: json.dumps(json.loads(match.group(0))), text) + "\n"


def reference_versions(diffusers_version: str, src: Path, commit: str | None, **more: str) -> dict[str, str | None]:
    """What a golden was made with: diffusers (version and commit), torch, ONNX Runtime, transformers, numpy, python."""
    import onnxruntime
    import torch
    import transformers

    return {
        "diffusers": diffusers_version,
        "diffusersCommit": diffusers_commit(src, commit),
        "torch": torch.__version__,
        "onnxruntime": onnxruntime.__version__,
        "transformers": transformers.__version__,
        **more,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def write_golden(out: Path, golden: dict, count: str) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(format_json(golden))
    print(f"wrote {out} ({out.stat().st_size} bytes, {count})", file=sys.stderr)


def reference_arguments(description: str, default_out: Path) -> argparse.ArgumentParser:
    """The options every diffusers reference script takes: the source tree, its commit, the fixtures, the golden."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--diffusers-src", type=Path, required=True, help="folder holding the diffusers package")
    parser.add_argument("--diffusers-commit", help="the commit the source was exported from (recorded in the JSON)")
    parser.add_argument("--models", type=Path, default=DEFAULT_MODELS)
    parser.add_argument("--out", type=Path, default=default_out)
    return parser


def main() -> None:
    parser = reference_arguments(__doc__.split("\n\n")[0], DEFAULT_OUT)
    parser.add_argument("--only", nargs="*", help="case names to run (prints them; writes nothing)")
    args = parser.parse_args()

    logging.basicConfig(level=logging.WARNING)
    diffusers = Diffusers(args.diffusers_src.resolve())
    torch = diffusers.torch
    torch.set_num_threads(1)

    from edit_reference import EDIT_CASES, EditDiffusers, run_edit_case
    from sdxl_edit_reference import XL_EDIT_CASES, XLEditDiffusers, run_xl_edit_case

    edit = EditDiffusers(diffusers)
    xl = XLEditDiffusers(diffusers, edit)
    # The SDXL edit cases (the refiner's, then the base model's) sit between the text-to-image and the SD edit cases:
    # added there, they left every line of the cases before and after them in the golden as it was.
    cases = [spec for spec in CASES + XL_EDIT_CASES + EDIT_CASES if not args.only or spec["name"] in args.only]
    results = []
    for spec in cases:
        if spec in XL_EDIT_CASES:
            result = run_xl_edit_case(diffusers, xl, args.models, spec)
        elif "strength" in spec["request"]:
            result = run_edit_case(diffusers, edit, args.models, spec)
        else:
            result = run_case(diffusers, args.models, spec)
        reference = result["reference"]
        print(
            f"{spec['name']}: {reference['schedulerClass']} timesteps {reference['timesteps']}"
            f" latents sum|x| {[image['latents']['sumAbs'] for image in result['images']]}",
            file=sys.stderr,
        )
        results.append(result)
    if args.only:
        return

    golden = {
        "about": (
            "Images from diffusers' StableDiffusionPipeline loop (ONNX Runtime modules, torch CPU generators seeded "
            "seed + i) on test/fixtures/models; made by tools/forge/reference/diffusers_reference.py. "
            "pixels: base64 of raw RGB bytes, row-major HWC. latents: the final latents of that image."
        ),
        "versions": reference_versions(diffusers.version, args.diffusers_src, args.diffusers_commit),
        "cases": results,
    }
    write_golden(args.out, golden, f"{len(results)} cases")


if __name__ == "__main__":
    main()
