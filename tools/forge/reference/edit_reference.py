"""Image-to-image and inpainting goldens: diffusers' `StableDiffusionImg2ImgPipeline.__call__` and
`StableDiffusionInpaintPipeline.__call__` loops on the tiny fixtures, as `diffusers_reference.py` runs the
text-to-image loop (ONNX Runtime sessions for the modules, torch CPU generators seeded seed + i).

From the diffusers source tree: `get_timesteps` and `prepare_latents` of the img2img pipeline and the module
function `retrieve_latents`; `get_timesteps`, `prepare_latents`, `_encode_vae_image` and `prepare_mask_latents` of
the inpaint pipeline; `DiagonalGaussianDistribution` (models/autoencoders/vae.py) for exports whose VAE encoder gives
the latent distribution's parameters; `VaeImageProcessor` for the image and the mask (`do_binarize`,
`do_convert_grayscale`). The input image and mask are drawn here (numpy, deterministic) at the case's size, so no
resizing happens on either side, and written into the golden for the engine's test.
"""

from __future__ import annotations

import __future__ as future_flags
import ast
import base64
import inspect
import logging
import types
from pathlib import Path

import numpy as np

import diffusers_reference as base


def edit_case(name, variant, *, image, mask=None, strength, scheduler=None, **settings):
    spec = base.case(name, variant, scheduler=scheduler, **settings)
    spec["request"].update({"image": image, "mask": mask, "strength": strength})
    if mask is not None:
        spec["request"]["preserveUnmasked"] = False  # diffusers' pipeline output, without apply_overlay
    return spec


# Every scheduler runs image-to-image on sd15-int32 (its vae_encoder outputs latent_sample); inpainting runs with a
# 4-channel UNet (latent blending) on sd15-int32 and with the 9-channel sd15-inpainting fixture, whose vae_encoder
# outputs latent_parameters (sampled with the generator).
EDIT_CASES = [
    edit_case(
        "img2img sd15-int32 euler 0.6", "sd15-int32", image="scene", strength=0.6, scheduler="euler", steps=5, seed=70
    ),
    edit_case(
        "img2img sd15-int32 euler-ancestral 0.75 n=2",
        "sd15-int32",
        image="scene",
        strength=0.75,
        scheduler="euler-ancestral",
        steps=4,
        n=2,
        seed=71,
    ),
    edit_case(
        "img2img sd15-int32 ddim 0.5", "sd15-int32", image="scene", strength=0.5, scheduler="ddim", steps=6, seed=72
    ),
    edit_case(
        "img2img sd15-int32 dpmpp-2m 0.8",
        "sd15-int32",
        image="scene",
        strength=0.8,
        scheduler="dpmpp-2m",
        steps=5,
        seed=73,
    ),
    edit_case(
        "img2img sd15-int32 dpmpp-2m-karras 0.7",
        "sd15-int32",
        image="scene",
        strength=0.7,
        scheduler="dpmpp-2m-karras",
        steps=6,
        seed=74,
    ),
    edit_case(
        "img2img sd15-int32 lcm 0.5",
        "sd15-int32",
        image="scene",
        strength=0.5,
        scheduler="lcm",
        steps=4,
        guidance=1.5,
        seed=75,
    ),
    edit_case(
        "img2img sd15-int32 euler strength 1",
        "sd15-int32",
        image="scene",
        strength=1.0,
        scheduler="euler",
        steps=3,
        seed=76,
    ),
    edit_case(
        "inpaint 4-channel sd15-int32 euler 1.0",
        "sd15-int32",
        image="scene",
        mask="box",
        strength=1.0,
        scheduler="euler",
        steps=4,
        seed=77,
    ),
    edit_case(
        "inpaint 4-channel sd15-int32 euler-ancestral 0.75",
        "sd15-int32",
        image="scene",
        mask="box",
        strength=0.75,
        scheduler="euler-ancestral",
        steps=4,
        seed=78,
    ),
    edit_case(
        "inpaint 4-channel sd15-int32 ddim 0.6",
        "sd15-int32",
        image="scene",
        mask="box",
        strength=0.6,
        scheduler="ddim",
        steps=5,
        seed=79,
    ),
    edit_case(
        "inpaint 9-channel default (euler) 1.0",
        "sd15-inpainting",
        image="scene",
        mask="box",
        strength=1.0,
        steps=4,
        seed=80,
    ),
    edit_case(
        "inpaint 9-channel euler-ancestral 0.5",
        "sd15-inpainting",
        image="scene",
        mask="box",
        strength=0.5,
        scheduler="euler-ancestral",
        steps=4,
        seed=81,
    ),
    edit_case(
        "inpaint 9-channel dpmpp-2m 0.8 no guidance",
        "sd15-inpainting",
        image="scene",
        mask="box",
        strength=0.8,
        scheduler="dpmpp-2m",
        steps=5,
        guidance=1.0,
        seed=82,
    ),
]


def draw_input(kind: str, width: int, height: int) -> np.ndarray:
    """The case's input: `scene`, an RGB picture (gradients, a disc, a bar); `box`, a mask (L) repainting a rectangle."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    if kind == "scene":
        rgb = np.stack([x / width * 200 + 30, y / height * 160 + 50, (x + y) / (width + height) * 120 + 90], axis=-1)
        disc = (x - width * 0.35) ** 2 + (y - height * 0.45) ** 2 < (min(width, height) * 0.22) ** 2
        rgb[disc] = [220, 40, 30]
        rgb[(y > height * 0.75) & (x > width * 0.5)] = [20, 30, 140]
        return np.clip(np.round(rgb), 0, 255).astype(np.uint8)
    if kind == "box":
        mask = np.zeros((height, width), dtype=np.uint8)
        mask[height // 4 : height * 3 // 4, width // 5 : width * 3 // 5] = 255
        return mask
    raise ValueError(kind)


def compile_class(source_file: Path, class_name: str, namespace: dict):
    tree = ast.parse(source_file.read_text(), filename=str(source_file))
    node = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name)
    code = compile(
        ast.Module(body=[node], type_ignores=[]), str(source_file), "exec", flags=future_flags.annotations.compiler_flag
    )
    exec(code, namespace)  # noqa: S102 - diffusers' own source, by design
    return namespace[class_name]


class EditDiffusers:
    """The img2img and inpaint pipeline parts, compiled from the same diffusers source as `base.Diffusers`."""

    def __init__(self, diffusers: base.Diffusers):
        import PIL.Image
        import torch
        from diffusers.utils import deprecate
        from diffusers.utils.torch_utils import randn_tensor

        self.diffusers = diffusers
        namespace = {
            "torch": torch,
            "np": np,
            "PIL": PIL,
            "inspect": inspect,
            "randn_tensor": randn_tensor,
            "deprecate": deprecate,
            "logger": logging.getLogger("edit_reference"),
        }
        self.namespace = dict(namespace)  # what the pipeline functions read, for refiner_reference.py too
        folder = diffusers.path / "pipelines" / "stable_diffusion"
        img2img_file = folder / "pipeline_stable_diffusion_img2img.py"
        namespace.update(base.compile_functions(img2img_file, ["retrieve_latents"], namespace))
        self.img2img_methods = base.compile_functions(
            img2img_file,
            ["get_timesteps", "prepare_latents"],
            dict(namespace),
            class_name="StableDiffusionImg2ImgPipeline",
        )
        self.inpaint_methods = base.compile_functions(
            folder / "pipeline_stable_diffusion_inpaint.py",
            ["get_timesteps", "prepare_latents", "_encode_vae_image", "prepare_mask_latents"],
            dict(namespace),
            class_name="StableDiffusionInpaintPipeline",
        )
        vae_file = diffusers.path / "models" / "autoencoders" / "vae.py"
        self.DiagonalGaussianDistribution = compile_class(vae_file, "DiagonalGaussianDistribution", dict(namespace))


class OnnxVae:
    """`AutoencoderKL.encode` with the ONNX vae_encoder: `latents` for a `latent_sample` output, `latent_dist` for
    `latent_parameters` / `latent_dist` (as Optimum's ORT pipelines wrap them)."""

    def __init__(self, model: base.Model, distribution_class):
        self.encoder = base.OnnxModule(model.directory / "vae_encoder" / "model.onnx")
        self.config = types.SimpleNamespace(**model.vae_config)
        self.distribution_class = distribution_class

    def encode(self, sample):
        output_name = self.encoder.output_names[0]
        output = self.encoder.run({"sample": sample.numpy()})[0]
        if output_name == "latent_sample":
            return types.SimpleNamespace(latents=output)
        return types.SimpleNamespace(latent_dist=self.distribution_class(output))


def edit_setup(diffusers: base.Diffusers, models_dir: Path, request: dict, parts, vae_class) -> types.SimpleNamespace:
    """What every edit loop starts with: the case's model and scheduler (the request's, or the model's default), the
    reference pipeline with a `vae_class` VAE and `parts`' img2img or inpaint methods (`inpaint`: the case has a
    mask), the drawn inputs, and one torch CPU generator per image seeded seed + i."""
    import torch

    model = base.Model(models_dir / request["variant"])
    class_name = model.scheduler_config["_class_name"]
    scheduler_name = request["scheduler"] or base.DEFAULT_SCHEDULER_FOR_CLASS[class_name]
    scheduler = diffusers.scheduler(scheduler_name, model.scheduler_config)
    inpaint = request["mask"] is not None
    pipe = base.ReferencePipeline(diffusers, model, scheduler)
    pipe.vae = vae_class(model, parts.DiagonalGaussianDistribution)
    for name, function in (parts.inpaint_methods if inpaint else parts.img2img_methods).items():
        setattr(pipe, name, types.MethodType(function, pipe))
    height, width = request["height"], request["width"]
    seeds = [(request["seed"] + i) % 2**32 for i in range(request["n"])]
    return types.SimpleNamespace(
        model=model,
        scheduler=scheduler,
        inpaint=inpaint,
        pipe=pipe,
        image_pixels=draw_input(request["image"], width, height),
        mask_pixels=draw_input(request["mask"], width, height) if inpaint else None,
        seeds=seeds,
        generator=[torch.Generator("cpu").manual_seed(seed) for seed in seeds],
    )


def run_edit_case(diffusers: base.Diffusers, edit: EditDiffusers, models_dir: Path, spec: dict) -> dict:
    import PIL.Image
    import torch

    request = spec["request"]
    setup = edit_setup(diffusers, models_dir, request, edit, OnnxVae)
    model, scheduler, inpaint, pipe = setup.model, setup.scheduler, setup.inpaint, setup.pipe
    image_pixels, mask_pixels, generator = setup.image_pixels, setup.mask_pixels, setup.generator
    height, width = request["height"], request["width"]
    steps, guidance_scale, strength = request["steps"], request["guidance"], request["strength"]
    num_images_per_prompt, batch_size, device = request["n"], 1, torch.device("cpu")
    time_cond_proj_dim = model.unet_config.get("time_cond_proj_dim")
    do_classifier_free_guidance = guidance_scale > 1 and time_cond_proj_dim is None

    prompt_embeds, negative_prompt_embeds, prompt_ids = base.encode_prompt(
        model, torch, request["prompt"], num_images_per_prompt, do_classifier_free_guidance, request["negativePrompt"]
    )
    if do_classifier_free_guidance:
        prompt_embeds = torch.cat([negative_prompt_embeds, prompt_embeds])

    image_processor = diffusers.VaeImageProcessor(vae_scale_factor=pipe.vae_scale_factor)
    init_image = image_processor.preprocess(PIL.Image.fromarray(image_pixels, "RGB"), height=height, width=width)
    init_image = init_image.to(dtype=torch.float32)
    timesteps, steps = diffusers.retrieve_timesteps(scheduler, steps, device)
    timesteps, steps = pipe.get_timesteps(steps, strength, device)
    latent_timestep = timesteps[:1].repeat(batch_size * num_images_per_prompt)

    mask = masked_image_latents = image_latents = noise = None
    num_channels_unet = model.unet_config["in_channels"]
    if not inpaint:
        latents = pipe.prepare_latents(
            init_image, latent_timestep, batch_size, num_images_per_prompt, prompt_embeds.dtype, device, generator
        )
    else:
        outputs = pipe.prepare_latents(
            batch_size * num_images_per_prompt,
            model.vae_config["latent_channels"],
            height,
            width,
            prompt_embeds.dtype,
            device,
            generator,
            None,
            image=init_image,
            timestep=latent_timestep,
            is_strength_max=strength == 1.0,
            return_noise=True,
            return_image_latents=num_channels_unet == 4,
        )
        latents, noise = outputs[0], outputs[1]
        image_latents = outputs[2] if num_channels_unet == 4 else None
        mask_processor = diffusers.VaeImageProcessor(
            vae_scale_factor=pipe.vae_scale_factor, do_normalize=False, do_binarize=True, do_convert_grayscale=True
        )
        mask_condition = mask_processor.preprocess(PIL.Image.fromarray(mask_pixels, "L"), height=height, width=width)
        masked_image = init_image * (mask_condition < 0.5)
        mask, masked_image_latents = pipe.prepare_mask_latents(
            mask_condition,
            masked_image,
            batch_size * num_images_per_prompt,
            height,
            width,
            prompt_embeds.dtype,
            device,
            generator,
            do_classifier_free_guidance,
        )

    extra_step_kwargs = pipe.prepare_extra_step_kwargs(generator, 0.0)
    timestep_cond = None
    if time_cond_proj_dim is not None:
        guidance_scale_tensor = torch.tensor(guidance_scale - 1).repeat(batch_size * num_images_per_prompt)
        timestep_cond = pipe.get_guidance_scale_embedding(guidance_scale_tensor, embedding_dim=time_cond_proj_dim)

    for i, t in enumerate(timesteps):
        latent_model_input = torch.cat([latents] * 2) if do_classifier_free_guidance else latents
        latent_model_input = scheduler.scale_model_input(latent_model_input, t)
        if inpaint and num_channels_unet == 9:
            latent_model_input = torch.cat([latent_model_input, mask, masked_image_latents], dim=1)
        noise_pred = model.unet_forward(latent_model_input, t, prompt_embeds, timestep_cond)
        if do_classifier_free_guidance:
            noise_pred_uncond, noise_pred_text = noise_pred.chunk(2)
            noise_pred = noise_pred_uncond + guidance_scale * (noise_pred_text - noise_pred_uncond)
        latents = scheduler.step(noise_pred, t, latents, **extra_step_kwargs, return_dict=False)[0]
        if inpaint and num_channels_unet == 4:
            next_timestep = timesteps[i + 1] if i < len(timesteps) - 1 else None
            latents = blend_known_region(
                scheduler, latents, image_latents, noise, mask, do_classifier_free_guidance, next_timestep
            )

    return edit_result(
        spec,
        setup,
        {
            "timesteps": timesteps,
            "classifierFreeGuidance": do_classifier_free_guidance,
            "unetInChannels": num_channels_unet,
        },
        prompt_ids,
        image_processor,
        latents,
    )


def blend_known_region(scheduler, latents, image_latents, noise, mask, guided, next_timestep):
    """The inpaint pipelines' step for a 4-channel UNet (`num_channels_unet == 4` in their loops): the image's latents
    noised to the next timestep (clean after the last step) where the mask keeps, the denoised latents where it
    repaints."""
    import torch

    init_latents_proper = image_latents
    init_mask = mask.chunk(2)[0] if guided else mask
    if next_timestep is not None:
        init_latents_proper = scheduler.add_noise(init_latents_proper, noise, torch.tensor([next_timestep]))
    return (1 - init_mask) * init_latents_proper + init_mask * latents


def edit_result(spec, setup, reference, prompt_ids, image_processor, latents) -> dict:
    """An edit case's golden entry: the final latents decoded, the drawn inputs of `setup` (`edit_setup`; base64), and
    the `reference` block (the schedulers, then `reference`'s entries with the timesteps as floats, then the prompt
    ids)."""
    request = spec["request"]
    model, scheduler, seeds = setup.model, setup.scheduler, setup.seeds
    inputs = {"image": setup.image_pixels, **({"mask": setup.mask_pixels} if setup.inpaint else {})}
    class_name = model.scheduler_config["_class_name"]
    decoded = model.vae_decode(latents / model.vae_config["scaling_factor"])
    pil_images = image_processor.postprocess(decoded, output_type="pil", do_denormalize=[True] * decoded.shape[0])
    return {
        "name": spec["name"],
        "request": request,
        "inputs": {name: base64.b64encode(pixels.tobytes()).decode("ascii") for name, pixels in inputs.items()},
        "reference": {
            "schedulerClass": type(scheduler).__name__,
            "schedulerName": request["scheduler"] or base.DEFAULT_SCHEDULER_FOR_CLASS[class_name],
            "modelSchedulerClass": class_name,
            **reference,
            "timesteps": [float(t) for t in reference["timesteps"]],
            "promptIds": prompt_ids[: prompt_ids.index(model.tokenizer.eos_token_id) + 1],
        },
        "images": base.image_results(seeds, pil_images, latents, request["width"], request["height"]),
    }
