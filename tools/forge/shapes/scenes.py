"""The tiny-shapes world: scenes sampled from the caption grammar and drawn as 64x64 images.

`shapes-grammar.json` beside this file is the single description of the world; the evaluator
(tools/eval) reads the same file, so training data and scoring agree on colours and geometry.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

GRAMMAR = json.loads((Path(__file__).parent / "shapes-grammar.json").read_text())
COLOURS: dict[str, list[int]] = GRAMMAR["colours"]
COLOUR_NAMES = list(COLOURS)
SHAPES: list[str] = GRAMMAR["shapes"]
SIZES: dict[str, int] = GRAMMAR["sizes"]
POSITIONS: dict[str, list[int]] = GRAMMAR["positions"]
TEMPLATES: list[str] = GRAMMAR["templates"]
IMAGE_SIZE: int = GRAMMAR["imageSize"]
HELD_OUT = {tuple(triple) for triple in GRAMMAR["heldOut"]}

# Small random offsets keep the model from memorising exact pixels; they stay well inside
# the gap between named positions and sizes, so the words still decide the picture.
POSITION_JITTER_PX = 3
SIZE_JITTER_PX = 2


@dataclass(frozen=True)
class Scene:
    colour: str
    shape: str
    background: str
    size: str
    position: str
    template: int

    @property
    def caption(self) -> str:
        return TEMPLATES[self.template].format(
            colour=self.colour, shape=self.shape, background=self.background, size=self.size, position=self.position
        )

    @property
    def triple(self) -> tuple[str, str, str]:
        return (self.colour, self.shape, self.background)


def sample_scene(rng: random.Random) -> Scene:
    """A scene from the training distribution: never a held-out (colour, shape, background)."""
    while True:
        colour, background = rng.sample(COLOUR_NAMES, 2)
        shape = rng.choice(SHAPES)
        if (colour, shape, background) in HELD_OUT:
            continue
        template = rng.randrange(len(TEMPLATES))
        says_size = "{size}" in TEMPLATES[template]
        says_position = "{position}" in TEMPLATES[template]
        size = rng.choice(list(SIZES)) if says_size else GRAMMAR["defaultSize"]
        position = rng.choice(list(POSITIONS)) if says_position else GRAMMAR["defaultPosition"]
        return Scene(colour, shape, background, size, position, template)


def coverage_mask(shape: str, side: float, cx: float, cy: float) -> np.ndarray:
    """Pixels whose centre (x + 0.5, y + 0.5) lies inside the shape (no anti-aliasing)."""
    ys, xs = np.mgrid[0:IMAGE_SIZE, 0:IMAGE_SIZE].astype(np.float32) + 0.5
    dx, dy, half = xs - cx, ys - cy, side / 2
    if shape == "circle":
        return dx * dx + dy * dy <= half * half
    if shape == "square":
        return (np.abs(dx) <= half) & (np.abs(dy) <= half)
    # Upward isosceles triangle: apex (cx, cy - half), base y = cy + half from cx - half to cx + half.
    inside_height = (dy >= -half) & (dy <= half)
    half_width_at_y = (dy + half) / 2
    return inside_height & (np.abs(dx) <= half_width_at_y)


def render(scene: Scene, rng: random.Random | None = None) -> np.ndarray:
    """The scene as uint8 RGB [64, 64, 3]; with `rng`, size and position are jittered slightly."""
    side = float(SIZES[scene.size])
    cx, cy = (float(v) for v in POSITIONS[scene.position])
    if rng is not None:
        side += rng.uniform(-SIZE_JITTER_PX, SIZE_JITTER_PX)
        cx += rng.uniform(-POSITION_JITTER_PX, POSITION_JITTER_PX)
        cy += rng.uniform(-POSITION_JITTER_PX, POSITION_JITTER_PX)
    image = np.empty((IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.uint8)
    image[:] = COLOURS[scene.background]
    image[coverage_mask(scene.shape, side, cx, cy)] = COLOURS[scene.colour]
    return image


def caption_corpus() -> list[str]:
    """Every word the grammar can say, in every template, for the BPE trainer."""
    lines = []
    for template in TEMPLATES:
        for colour in COLOUR_NAMES:
            for shape in SHAPES:
                lines.append(
                    template.format(
                        colour=colour, shape=shape, background=COLOUR_NAMES[-1 - COLOUR_NAMES.index(colour)],
                        size=list(SIZES)[len(lines) % len(SIZES)], position=list(POSITIONS)[len(lines) % len(POSITIONS)],
                    )
                )
    return lines
