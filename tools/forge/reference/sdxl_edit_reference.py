"""SDXL image-to-image and inpainting goldens: diffusers' `StableDiffusionXLImg2ImgPipeline.__call__` and
`StableDiffusionXLInpaintPipeline.__call__` loops, run as `edit_reference.py` runs the SD loops (ONNX Runtime sessions
for the modules, torch CPU generators seeded seed + i, the input image and mask drawn at the case's size), on the
`sdxl` fixture (SDXL base: both encoders, `force_zeros_for_empty_prompt`, 6 time ids) and on `sdxl-refiner`
(text_encoder_2 alone, `requires_aesthetics_score`, `force_zeros_for_empty_prompt: false`).

From the diffusers source tree: each pipeline's module function `retrieve_latents` and its methods `get_timesteps`,
`prepare_latents`, `prepare_extra_step_kwargs` and `_get_add_time_ids` (original size = target size = the latents'
size, crop top-left (0, 0); with `requires_aesthetics_score` the aesthetic score 6.0 and the negative rows 2.5, the
`__call__` defaults), plus the inpaint pipeline's `_encode_vae_image` and `prepare_mask_latents`; `encode_prompt` is
`diffusers_reference.encode_prompt_xl`.
"""

from __future__ import annotations

import types
from pathlib import Path

import diffusers_reference as base
import edit_reference as edit

# `StableDiffusionXLImg2ImgPipeline.__call__`'s and `StableDiffusionXLInpaintPipeline.__call__`'s defaults.
AESTHETIC_SCORE = 6.0
NEGATIVE_AESTHETIC_SCORE = 2.5


def xl_case(name, variant, *, strength, steps, seed, **settings):
    """An edit case on an SDXL fixture: the drawn `scene` (and a `box` mask with `mask="box"`) at 40×32, guidance 5
    unless given."""
    settings.setdefault("guidance", 5.0)
    settings.setdefault("image", "scene")
    return edit.edit_case(name, variant, strength=strength, steps=steps, seed=seed, width=40, height=32, **settings)


def refiner_case(name, **settings):
    return xl_case(name, "sdxl-refiner", **settings)


# Two schedulers at the strengths a refiner runs at (0.3, the pipeline's default, and 0.8); negative None is "" here,
# as force_zeros_for_empty_prompt is false. The model's scheduler is EulerDiscreteScheduler.
REFINER_CASES = [
    refiner_case("refiner img2img default (euler) 0.3", negative=None, strength=0.3, steps=10, seed=83),
    refiner_case("refiner img2img euler 0.8 negative prompt", scheduler="euler", strength=0.8, steps=5, seed=84),
    refiner_case(
        "refiner img2img dpmpp-2m 0.3 n=2", negative=None, scheduler="dpmpp-2m", strength=0.3, steps=10, n=2, seed=85
    ),
    refiner_case(
        "refiner img2img dpmpp-2m 0.8 no guidance", scheduler="dpmpp-2m", strength=0.8, steps=5, guidance=1.0, seed=86
    ),
]

# SDXL base: image-to-image at three strengths (0.3 the pipeline's default) with three schedulers, guided (negative
# None: zero negatives under force_zeros_for_empty_prompt) and not; inpainting with its 4-channel UNet (latent
# blending) from pure noise (strength 1) and from the noised image, one image each (see edit_reference.py); the
# sdxl fixture's vae_encoder gives latent_parameters, sampled with each image's generator. Then the refiner's
# inpainting (the same blending, with the aesthetic score).
SDXL_EDIT_CASES = [
    xl_case("sdxl img2img default (euler) 0.3, zero negatives", "sdxl", negative=None, strength=0.3, steps=10, seed=91),
    xl_case(
        "sdxl img2img euler-ancestral 0.8 n=2, rescale 0.7",
        "sdxl",
        scheduler="euler-ancestral",
        strength=0.8,
        steps=5,
        n=2,
        guidance_rescale=0.7,
        seed=92,
    ),
    xl_case(
        "sdxl img2img dpmpp-2m 0.6 no guidance",
        "sdxl",
        scheduler="dpmpp-2m",
        strength=0.6,
        steps=5,
        guidance=1.0,
        seed=93,
    ),
    xl_case(
        "sdxl inpaint 4-channel default (euler) 1.0, zero negatives",
        "sdxl",
        negative=None,
        mask="box",
        strength=1.0,
        steps=4,
        seed=94,
    ),
    xl_case(
        "sdxl inpaint 4-channel dpmpp-2m-karras 0.75",
        "sdxl",
        scheduler="dpmpp-2m-karras",
        mask="box",
        strength=0.75,
        steps=5,
        seed=95,
    ),
    refiner_case("refiner inpaint euler 0.6", scheduler="euler", mask="box", strength=0.6, steps=5, seed=96),
]

XL_EDIT_CASES = REFINER_CASES + SDXL_EDIT_CASES


class XLEditDiffusers:
    """The img2img and inpaint XL pipeline parts, compiled from the same diffusers source as `edit.EditDiffusers`."""

    def __init__(self, diffusers: base.Diffusers, edit_parts: edit.EditDiffusers):
        self.DiagonalGaussianDistribution = edit_parts.DiagonalGaussianDistribution
        folder = diffusers.path / "pipelines" / "stable_diffusion_xl"
        shared = ["get_timesteps", "prepare_latents", "prepare_extra_step_kwargs", "_get_add_time_ids"]
        self.img2img_methods = self.compile(
            edit_parts, folder / "pipeline_stable_diffusion_xl_img2img.py", "StableDiffusionXLImg2ImgPipeline", shared
        )
        self.inpaint_methods = self.compile(
            edit_parts,
            folder / "pipeline_stable_diffusion_xl_inpaint.py",
            "StableDiffusionXLInpaintPipeline",
            [*shared, "_encode_vae_image", "prepare_mask_latents"],
        )

    @staticmethod
    def compile(edit_parts: edit.EditDiffusers, source: Path, class_name: str, names: list[str]) -> dict:
        namespace = dict(edit_parts.namespace)
        namespace.update(base.compile_functions(source, ["retrieve_latents"], namespace))
        return base.compile_functions(source, names, namespace, class_name=class_name)


class XLVae(edit.OnnxVae):
    """`prepare_latents` moves the VAE to float32 under `force_upcast` and back: an ONNX graph has one precision."""

    def to(self, *_args, **_kwargs):
        return self


def prepare_inpaint_latents(
    diffusers, pipe, model, *, image, mask_pixels, timestep, strength, generator, guided, dtype
):
    """Steps 5–7 of the inpaint pipeline: the mask processor, `prepare_latents` (the noise, and the image latents for
    a 4-channel UNet), `prepare_mask_latents` (the masked image's latents, drawn even where the UNet does not use
    them). Returns the latents, the noise, the image latents, the mask and the masked image's latents."""
    import PIL.Image

    images, (height, width) = timestep.shape[0], image.shape[-2:]
    num_channels_unet = model.unet_config["in_channels"]
    mask_processor = diffusers.VaeImageProcessor(
        vae_scale_factor=pipe.vae_scale_factor, do_normalize=False, do_binarize=True, do_convert_grayscale=True
    )
    mask = mask_processor.preprocess(PIL.Image.fromarray(mask_pixels, "L"), height=height, width=width)
    masked_image = image * (mask < 0.5)
    outputs = pipe.prepare_latents(
        images,
        model.vae_config["latent_channels"],
        height,
        width,
        dtype,
        image.device,
        generator,
        None,
        image=image,
        timestep=timestep,
        is_strength_max=strength == 1.0,
        add_noise=True,
        return_noise=True,
        return_image_latents=num_channels_unet == 4,
    )
    mask, masked_image_latents = pipe.prepare_mask_latents(
        mask, masked_image, images, height, width, dtype, image.device, generator, guided
    )
    image_latents = outputs[2] if num_channels_unet == 4 else None
    return outputs[0], outputs[1], image_latents, mask, masked_image_latents


def run_xl_edit_case(diffusers: base.Diffusers, xl: XLEditDiffusers, models_dir: Path, spec: dict) -> dict:
    import PIL.Image
    import torch

    request = spec["request"]
    setup = edit.edit_setup(diffusers, models_dir, request, xl, XLVae)
    model, scheduler, inpaint, pipe = setup.model, setup.scheduler, setup.inpaint, setup.pipe
    image_pixels, mask_pixels, generator = setup.image_pixels, setup.mask_pixels, setup.generator
    pipe.config = types.SimpleNamespace(
        requires_aesthetics_score=model.model_index.get("requires_aesthetics_score", False),
        force_zeros_for_empty_prompt=model.model_index.get("force_zeros_for_empty_prompt", True),
    )
    height, width = request["height"], request["width"]
    steps, guidance_scale, strength = request["steps"], request["guidance"], request["strength"]
    num_images_per_prompt, batch_size, device = request["n"], 1, torch.device("cpu")
    do_classifier_free_guidance = guidance_scale > 1

    # 3. Encode input prompt.
    prompt_embeds, negative_prompt_embeds, pooled_prompt_embeds, negative_pooled_prompt_embeds, prompt_ids = (
        base.encode_prompt_xl(
            model,
            torch,
            request["prompt"],
            num_images_per_prompt,
            do_classifier_free_guidance,
            request["negativePrompt"],
        )
    )
    # 4. Preprocess image (drawn at the case's size, which the processor keeps).
    image_processor = diffusers.VaeImageProcessor(vae_scale_factor=pipe.vae_scale_factor)
    image = image_processor.preprocess(PIL.Image.fromarray(image_pixels, "RGB"), height=height, width=width)
    # 5. Prepare timesteps.
    timesteps, steps = diffusers.retrieve_timesteps(scheduler, steps, device)
    timesteps, steps = pipe.get_timesteps(steps, strength, device, denoising_start=None)
    latent_timestep = timesteps[:1].repeat(batch_size * num_images_per_prompt)
    # 6. Prepare latent variables (inpainting: and the mask's, 7).
    num_channels_unet = model.unet_config["in_channels"]
    mask = masked_image_latents = image_latents = noise = None
    if not inpaint:
        latents = pipe.prepare_latents(
            image, latent_timestep, batch_size, num_images_per_prompt, prompt_embeds.dtype, device, generator, True
        )
    else:
        latents, noise, image_latents, mask, masked_image_latents = prepare_inpaint_latents(
            diffusers,
            pipe,
            model,
            image=image.to(dtype=torch.float32),
            mask_pixels=mask_pixels,
            timestep=latent_timestep,
            strength=strength,
            generator=generator,
            guided=do_classifier_free_guidance,
            dtype=prompt_embeds.dtype,
        )
    # 7. Prepare extra step kwargs.
    extra_step_kwargs = pipe.prepare_extra_step_kwargs(generator, 0.0)
    # 8. Prepare added time ids & embeddings (original = target = the latents' size, crop (0, 0)).
    size = (latents.shape[-2] * pipe.vae_scale_factor, latents.shape[-1] * pipe.vae_scale_factor)
    add_time_ids, add_neg_time_ids = pipe._get_add_time_ids(
        size,
        (0, 0),
        size,
        AESTHETIC_SCORE,
        NEGATIVE_AESTHETIC_SCORE,
        size,
        (0, 0),
        size,
        dtype=prompt_embeds.dtype,
        text_encoder_projection_dim=model.text_encoder_2_config["projection_dim"],
    )
    add_time_ids = add_time_ids.repeat(batch_size * num_images_per_prompt, 1)
    add_text_embeds = pooled_prompt_embeds
    if do_classifier_free_guidance:
        prompt_embeds = torch.cat([negative_prompt_embeds, prompt_embeds], dim=0)
        add_text_embeds = torch.cat([negative_pooled_prompt_embeds, add_text_embeds], dim=0)
        add_neg_time_ids = add_neg_time_ids.repeat(batch_size * num_images_per_prompt, 1)
        add_time_ids = torch.cat([add_neg_time_ids, add_time_ids], dim=0)
    added_cond_kwargs = {"text_embeds": add_text_embeds, "time_ids": add_time_ids}

    # 9. Denoising loop.
    for i, t in enumerate(timesteps):
        latent_model_input = torch.cat([latents] * 2) if do_classifier_free_guidance else latents
        latent_model_input = scheduler.scale_model_input(latent_model_input, t)
        if inpaint and num_channels_unet == 9:
            latent_model_input = torch.cat([latent_model_input, mask, masked_image_latents], dim=1)
        noise_pred = model.unet_forward(latent_model_input, t, prompt_embeds, None, added_cond_kwargs)
        if do_classifier_free_guidance:
            noise_pred_uncond, noise_pred_text = noise_pred.chunk(2)
            noise_pred = noise_pred_uncond + guidance_scale * (noise_pred_text - noise_pred_uncond)
        if do_classifier_free_guidance and request["guidanceRescale"] > 0.0:
            noise_pred = diffusers.rescale_noise_cfg(
                noise_pred, noise_pred_text, guidance_rescale=request["guidanceRescale"]
            )
        latents = scheduler.step(noise_pred, t, latents, **extra_step_kwargs, return_dict=False)[0]
        if inpaint and num_channels_unet == 4:
            next_timestep = timesteps[i + 1] if i < len(timesteps) - 1 else None
            latents = edit.blend_known_region(
                scheduler, latents, image_latents, noise, mask, do_classifier_free_guidance, next_timestep
            )

    inpaint_reference = {"unetInChannels": num_channels_unet} if inpaint else {}
    return edit.edit_result(
        spec,
        setup,
        {
            "timesteps": timesteps,
            "classifierFreeGuidance": do_classifier_free_guidance,
            **inpaint_reference,
            "timeIds": add_time_ids.tolist(),
        },
        prompt_ids,
        image_processor,
        latents,
    )
