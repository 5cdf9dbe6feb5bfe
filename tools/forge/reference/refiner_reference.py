"""SDXL refiner goldens: diffusers' `StableDiffusionXLImg2ImgPipeline.__call__` loop on the `sdxl-refiner` fixture
(text_encoder_2 alone, `requires_aesthetics_score`, `force_zeros_for_empty_prompt: false`), run as
`edit_reference.py` runs the SD image-to-image loop: ONNX Runtime sessions for the modules, torch CPU generators
seeded seed + i, the input image drawn at the case's size.

From the diffusers source tree: the img2img XL pipeline's module function `retrieve_latents` and its methods
`get_timesteps`, `prepare_latents` and `_get_add_time_ids` (original size, crop top-left and the aesthetic score 6.0,
the negative rows 2.5: the `__call__` defaults); `encode_prompt` is `diffusers_reference.encode_prompt_xl` with the
refiner's one tokenizer and encoder.
"""

from __future__ import annotations

import types
from pathlib import Path


import diffusers_reference as base
import edit_reference as edit

# `StableDiffusionXLImg2ImgPipeline.__call__`'s defaults.
AESTHETIC_SCORE = 6.0
NEGATIVE_AESTHETIC_SCORE = 2.5


def refiner_case(name, *, strength, steps, seed, **settings):
    """An image-to-image case on the `sdxl-refiner` fixture: the drawn `scene` at 40×32, guidance 5 unless given."""
    settings.setdefault("guidance", 5.0)
    return edit.edit_case(
        name, "sdxl-refiner", image="scene", strength=strength, steps=steps, seed=seed, width=40, height=32, **settings
    )


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


class RefinerDiffusers:
    """The img2img XL pipeline parts, compiled from the same diffusers source as `edit.EditDiffusers`."""

    def __init__(self, diffusers: base.Diffusers, edit_parts: edit.EditDiffusers):
        namespace = dict(edit_parts.namespace)
        source = diffusers.path / "pipelines" / "stable_diffusion_xl" / "pipeline_stable_diffusion_xl_img2img.py"
        namespace.update(base.compile_functions(source, ["retrieve_latents"], namespace))
        self.methods = base.compile_functions(
            source,
            ["get_timesteps", "prepare_latents", "prepare_extra_step_kwargs", "_get_add_time_ids"],
            namespace,
            class_name="StableDiffusionXLImg2ImgPipeline",
        )


class RefinerVae(edit.OnnxVae):
    """`prepare_latents` moves the VAE to float32 under `force_upcast` and back: an ONNX graph has one precision."""

    def to(self, *_args, **_kwargs):
        return self


def run_refiner_case(
    diffusers: base.Diffusers, refiner: RefinerDiffusers, edit_parts: edit.EditDiffusers, models_dir: Path, spec: dict
) -> dict:
    import PIL.Image
    import torch

    request = spec["request"]
    model = base.Model(models_dir / request["variant"])
    class_name = model.scheduler_config["_class_name"]
    scheduler_name = request["scheduler"] or base.DEFAULT_SCHEDULER_FOR_CLASS[class_name]
    scheduler = diffusers.scheduler(scheduler_name, model.scheduler_config)
    pipe = base.ReferencePipeline(diffusers, model, scheduler)
    pipe.config = types.SimpleNamespace(
        requires_aesthetics_score=model.model_index.get("requires_aesthetics_score", False),
        force_zeros_for_empty_prompt=model.model_index.get("force_zeros_for_empty_prompt", True),
    )
    pipe.vae = RefinerVae(model, edit_parts.DiagonalGaussianDistribution)
    for name, function in refiner.methods.items():
        setattr(pipe, name, types.MethodType(function, pipe))

    height, width = request["height"], request["width"]
    image_pixels = edit.draw_input(request["image"], width, height)
    steps, guidance_scale, strength = request["steps"], request["guidance"], request["strength"]
    num_images_per_prompt, batch_size, device = request["n"], 1, torch.device("cpu")
    seeds = [(request["seed"] + i) % 2**32 for i in range(num_images_per_prompt)]
    generator = [torch.Generator("cpu").manual_seed(seed) for seed in seeds]
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
    image = image_processor.preprocess(PIL.Image.fromarray(image_pixels, "RGB"))
    # 5. Prepare timesteps.
    timesteps, steps = diffusers.retrieve_timesteps(scheduler, steps, device)
    timesteps, steps = pipe.get_timesteps(steps, strength, device, denoising_start=None)
    latent_timestep = timesteps[:1].repeat(batch_size * num_images_per_prompt)
    # 6. Prepare latent variables.
    latents = pipe.prepare_latents(
        image, latent_timestep, batch_size, num_images_per_prompt, prompt_embeds.dtype, device, generator, True
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
    for t in timesteps:
        latent_model_input = torch.cat([latents] * 2) if do_classifier_free_guidance else latents
        latent_model_input = scheduler.scale_model_input(latent_model_input, t)
        noise_pred = model.unet_forward(latent_model_input, t, prompt_embeds, None, added_cond_kwargs)
        if do_classifier_free_guidance:
            noise_pred_uncond, noise_pred_text = noise_pred.chunk(2)
            noise_pred = noise_pred_uncond + guidance_scale * (noise_pred_text - noise_pred_uncond)
        if do_classifier_free_guidance and request["guidanceRescale"] > 0.0:
            noise_pred = diffusers.rescale_noise_cfg(
                noise_pred, noise_pred_text, guidance_rescale=request["guidanceRescale"]
            )
        latents = scheduler.step(noise_pred, t, latents, **extra_step_kwargs, return_dict=False)[0]

    return edit.edit_result(
        spec,
        model,
        scheduler,
        {"image": image_pixels},
        {
            "timesteps": timesteps,
            "classifierFreeGuidance": do_classifier_free_guidance,
            "timeIds": add_time_ids.tolist(),
        },
        prompt_ids,
        image_processor,
        seeds,
        latents,
    )
