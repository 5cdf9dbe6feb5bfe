"""Goldens for the engine's safety checker: diffusers' StableDiffusionSafetyChecker on the forge fixture.

Writes test/fixtures/goldens/safety-checker.json, which test/engine/safety-checker-parity.test.ts reads. For each
test image (two known images of diffusers' own goldens, flagged and not, and two synthetic patterns that take the
resize's downscaling and portrait paths):

1. transformers' CLIPImageProcessor (its PIL backend, `CLIPImageProcessorPil`, loaded from the fixture's
   `feature_extractor/`) makes `pixel_values`, as diffusers' `OnnxStableDiffusionPipeline` does from PIL images;
2. diffusers' `StableDiffusionSafetyChecker` (the torch module, from the diffusers source tree given with
   `--diffusers-src`, never copied here), built from the fixture's CLIPConfig and loaded with the forge module's
   weights (`tools/forge/safety_checker.py` rebuilds them: seeded tower, constant concepts), runs `forward` (its own
   verdict and rounded scores) and `forward_onnx` (the exported verdict); the unrounded scores are computed as
   `forward_onnx` computes them;
3. ONNX Runtime runs the fixture's `safety_checker/model.onnx` on the same `pixel_values`, to show the export is the
   module.

Run in the reference venv (tools/forge/reference/README.md, "Safety checker"); it needs a torch that transformers
accepts (transformers 5 needs torch 2).
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from diffusers_reference import reference_arguments, reference_versions, write_golden  # noqa: E402

REPO_ROOT = HERE.parents[2]
DEFAULT_OUT = REPO_ROOT / "test" / "fixtures" / "goldens" / "safety-checker.json"
PARITY_GOLDENS = REPO_ROOT / "test" / "fixtures" / "goldens" / "diffusers-parity.json"
VARIANT = "safety-checker"
# Every SAMPLE_STRIDE-th value of pixel_values is kept for diagnosis (the whole tensor is 150,528 floats).
SAMPLE_STRIDE = 1009


def pattern_image(width: int, height: int) -> np.ndarray:
    """A deterministic RGB test pattern with smooth ramps and fine detail (the engine's test computes the same)."""
    y, x = np.mgrid[0:height, 0:width]
    channels = [(x * (3 + c) + y * (5 + 2 * c) + ((x * y) >> 3)) & 255 for c in range(3)]
    return np.stack(channels, axis=-1).astype(np.uint8)


def golden_image(case_name: str, index: int) -> np.ndarray:
    golden = json.loads(PARITY_GOLDENS.read_text())
    case = next(case for case in golden["cases"] if case["name"] == case_name)
    image = case["images"][index]
    raw = np.frombuffer(base64.b64decode(image["pixels"]), dtype=np.uint8)
    return raw.reshape(image["height"], image["width"], 3)


def test_images() -> list[dict]:
    from safety_checker import KNOWN_IMAGES

    images = [
        {"name": f"{case} #{index}", "source": {"goldenCase": case, "index": index}, "pixels": golden_image(case, index)}
        for case, index, _ in KNOWN_IMAGES
    ]
    for width, height in ((300, 260), (96, 180)):
        images.append(
            {
                "name": f"pattern {width}x{height}",
                "source": {"pattern": [width, height]},
                "pixels": pattern_image(width, height),
            }
        )
    return images


def load_checker(torch, src: Path):
    """diffusers' StableDiffusionSafetyChecker with the forge fixture's weights."""
    sys.path.insert(0, str(src))
    from diffusers.pipelines.stable_diffusion.safety_checker import StableDiffusionSafetyChecker
    from transformers import CLIPConfig

    from safety_checker import SafetyCheckerConfig, build_safety_checker

    cfg = SafetyCheckerConfig()
    checker = StableDiffusionSafetyChecker(CLIPConfig(**cfg.clip_config())).eval()
    result = checker.load_state_dict(build_safety_checker(cfg).state_dict(), strict=False)
    # position_ids is a buffer transformers fills itself; anything else missing would leave random weights
    missing = [key for key in result.missing_keys if not key.endswith("position_ids")]
    if missing or result.unexpected_keys:
        raise SystemExit(f"weights do not fit diffusers' checker: missing {missing}, unexpected {result.unexpected_keys}")
    return checker, cfg


def unrounded_scores(torch, checker, clip_input):
    """The margins `StableDiffusionSafetyChecker.forward_onnx` computes (its lines, with the module's parameters)."""
    from diffusers.pipelines.stable_diffusion.safety_checker import cosine_distance

    with torch.no_grad():
        pooled_output = checker.vision_model(clip_input)[1]
        image_embeds = checker.visual_projection(pooled_output)
        special_scores = cosine_distance(image_embeds, checker.special_care_embeds) - checker.special_care_embeds_weights
        special_adjustment = torch.any(special_scores > 0, dim=1) * 0.01
        cos_dist = cosine_distance(image_embeds, checker.concept_embeds)
        concept_scores = (cos_dist - checker.concept_embeds_weights) + special_adjustment.unsqueeze(1)
    return image_embeds[0], special_scores[0], concept_scores[0]


def floats(values) -> list[float]:
    return [float(value) for value in np.asarray(values, dtype=np.float32).ravel()]


def run_image(torch, checker, processor, session, image: dict) -> dict:
    from PIL import Image

    pixels = image["pixels"]
    pixel_values = processor([Image.fromarray(pixels)], return_tensors="np").pixel_values.astype(np.float32)
    assert pixel_values.shape == (1, 3, 224, 224), pixel_values.shape
    clip_input = torch.from_numpy(pixel_values)
    height, width = pixels.shape[:2]
    images = (pixels.astype(np.float32) / 255)[None]

    _, forward_verdict = checker.forward(clip_input, images.copy())
    _, onnx_verdict = checker.forward_onnx(clip_input, torch.from_numpy(images.copy()))
    # diffusers' forward keeps its rounded scores in a local list; rerun its rounding on the same margins
    image_embeds, special_scores, concept_scores = unrounded_scores(torch, checker, clip_input)
    ort = dict(
        zip(
            [output.name for output in session.get_outputs()],
            session.run(None, {"clip_input": pixel_values, "images": images}),
        )
    )
    return {
        "name": image["name"],
        "source": image["source"],
        "width": width,
        "height": height,
        "pixelValues": {
            "sha256": hashlib.sha256(pixel_values.tobytes()).hexdigest(),
            "sum": float(pixel_values.astype(np.float64).sum()),
            "sumAbs": float(np.abs(pixel_values.astype(np.float64)).sum()),
            "sampleStride": SAMPLE_STRIDE,
            "samples": base64.b64encode(pixel_values.ravel()[::SAMPLE_STRIDE].tobytes()).decode("ascii"),
        },
        "diffusers": {
            "forward": {"hasNsfwConcept": bool(forward_verdict[0])},
            "forwardOnnx": {"hasNsfwConcept": bool(onnx_verdict[0])},
            "imageEmbeds": floats(image_embeds),
            "specialScores": floats(special_scores),
            "conceptScores": floats(concept_scores),
        },
        "onnxruntime": {
            "hasNsfwConcept": bool(ort["has_nsfw_concepts"][0]),
            "specialScores": floats(ort["special_scores"][0]),
            "conceptScores": floats(ort["concept_scores"][0]),
        },
    }


def main() -> None:
    args = reference_arguments(__doc__.split("\n\n")[0], DEFAULT_OUT).parse_args()

    import onnxruntime
    import PIL
    import torch
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

    torch.set_num_threads(1)
    checker, cfg = load_checker(torch, args.diffusers_src.resolve())
    folder = args.models / VARIANT
    processor = CLIPImageProcessorPil.from_pretrained(folder / "feature_extractor")
    session = onnxruntime.InferenceSession(str(folder / "safety_checker" / "model.onnx"))

    results = [run_image(torch, checker, processor, session, image) for image in test_images()]
    for result in results:
        reference, ort = result["diffusers"], result["onnxruntime"]
        gap = max(
            abs(a - b)
            for a, b in zip(reference["conceptScores"] + reference["specialScores"], ort["conceptScores"] + ort["specialScores"])
        )
        print(
            f"{result['name']}: flagged {reference['forward']['hasNsfwConcept']} (forward_onnx "
            f"{reference['forwardOnnx']['hasNsfwConcept']}, onnxruntime {ort['hasNsfwConcept']}); concept 0 "
            f"{reference['conceptScores'][0]:.4f}, special 0 {reference['specialScores'][0]:.4f}; torch vs ORT {gap:.2e}",
            file=sys.stderr,
        )

    import diffusers

    golden = {
        "about": (
            "diffusers' StableDiffusionSafetyChecker (torch) and transformers' CLIPImageProcessor (PIL backend) on "
            "test/fixtures/models/safety-checker; made by tools/forge/reference/safety_checker_reference.py. "
            "pixelValues: the processor's [1, 3, 224, 224] float32 output (sha256 of its bytes, every sampleStride-th "
            "value as base64 float32). Scores: cosine minus threshold per concept, as forward_onnx computes them."
        ),
        "versions": reference_versions(
            diffusers.__version__, args.diffusers_src, args.diffusers_commit, pillow=PIL.__version__
        ),
        "clipConfig": cfg.clip_config(),
        "images": results,
    }
    write_golden(args.out, golden, f"{len(results)} images")


if __name__ == "__main__":
    main()
