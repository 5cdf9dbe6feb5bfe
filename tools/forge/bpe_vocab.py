"""CLIP-format BPE tokenizer files, learned from a small built-in caption corpus.

The layout is exactly OpenAI CLIP's (and therefore Hugging Face ``CLIPTokenizer``'s):

* ``vocab.json``: the 256 byte-unicode characters in GPT-2 ``bytes_to_unicode`` order,
  then the same 256 with ``</w>`` appended, then one entry per merge (the concatenated
  pair, in merge order), then ``<|startoftext|>`` and ``<|endoftext|>`` last.
* ``merges.txt``: ``#version: 0.2`` followed by one ``left right`` line per merge.

Pre-tokenization follows CLIP: lowercase, collapse whitespace, split with CLIP's regex,
byte-encode each piece, and mark the end of every word with ``</w>``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

BOS_TOKEN = "<|startoftext|>"
EOS_TOKEN = "<|endoftext|>"
MODEL_MAX_LENGTH = 77
DEFAULT_NUM_MERGES = 400

# CLIP's pattern is
#   <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
# The stdlib ``re`` has no \p{..} classes; [^\W\d_] (letters) and \d (digits) are the
# stdlib equivalents, which is exact for the ASCII corpus below.
CLIP_PATTERN = re.compile(
    r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[^\W\d_]+|\d|(?:[^\s\w]|_)+",
    re.IGNORECASE,
)


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2 / CLIP reversible byte -> printable unicode character mapping (same order)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def pre_tokenize(text: str) -> list[str]:
    """CLIP's basic cleaning + regex split (without ftfy, which is a no-op for ASCII)."""
    text = re.sub(r"\s+", " ", text).strip().lower()
    return CLIP_PATTERN.findall(text)


# --- corpus -------------------------------------------------------------------------------

COLORS = ["red", "green", "blue", "yellow", "white", "black", "orange", "purple", "pink", "brown", "gray", "golden"]
SHAPES = ["circle", "square", "triangle", "star", "heart", "rectangle", "line", "dot", "ring", "cross"]
SIZES = ["small", "large", "big", "tiny", "huge"]
PLACES = ["top", "bottom", "left", "right", "center", "corner", "middle", "edge"]
ANIMALS = ["cat", "dog", "bird", "horse", "fish", "rabbit", "fox", "owl", "bear", "lion", "tiger", "mouse"]
OBJECTS = [
    "house", "tree", "flower", "mountain", "river", "lake", "city", "street", "car", "boat", "castle",
    "forest", "garden", "beach", "ocean", "sky", "cloud", "moon", "sun", "bridge", "window", "door",
    "table", "chair", "cup", "apple", "banana", "book", "lamp", "clock", "road", "field", "island",
]
STYLES = [
    "painting", "photo", "photograph", "drawing", "sketch", "illustration", "watercolor", "render",
    "portrait", "landscape", "poster", "cartoon", "pixel art", "oil painting", "digital art", "sculpture",
]
ADJECTIVES = [
    "beautiful", "detailed", "highly detailed", "sharp", "soft", "bright", "dark", "colorful", "simple",
    "realistic", "cinematic", "dramatic", "quiet", "peaceful", "cute", "old", "ancient", "modern", "futuristic",
    "sunny", "rainy", "snowy", "foggy", "misty", "glowing", "shiny", "wooden", "stone", "glass", "metal",
]
LIGHTING = ["at sunset", "at night", "at dawn", "in the morning", "in the evening", "under the stars", "in winter",
            "in summer", "in spring", "in autumn", "with soft light", "with studio lighting"]
QUALITY = ["trending on artstation", "award winning", "high quality", "masterpiece", "4k", "8k", "sharp focus",
           "wide angle", "close up", "bokeh", "volumetric lighting", "unreal engine", "octane render"]

SENTENCES = """
a photo of a cat
a photo of a dog sitting on a chair
an astronaut riding a horse on the moon
a painting of a fox in the forest, oil on canvas
a red circle on a white background
a blue square in the center of a black background
a green triangle at the top left corner
a yellow star at the bottom right
a small orange cat sleeping next to a window
a large purple flower in a garden with many leaves
a drawing of a castle on a hill by the sea
a watercolor painting of a lighthouse at sunset
a cozy cabin in the snowy mountains, warm light in the windows
a futuristic city with flying cars and tall buildings
a bowl of fruit on a wooden table, still life
a portrait of an old man with a gray beard, studio lighting
a cute robot holding a balloon, digital art
a steaming cup of coffee next to an open book
a sailing boat on a calm lake surrounded by pine trees
a dragon flying over a medieval village
two dogs playing with a ball in the park
three birds sitting on a wire against a blue sky
the sun setting over the ocean with pink and orange clouds
a black and white photograph of a busy street in the rain
an empty road through a desert with cactus plants
a bright yellow sunflower field under a clear sky
a snowman wearing a scarf and a hat
a close up of a butterfly on a flower, macro photography
a pixel art game character standing on a platform
a vintage poster of a train crossing a bridge
a panda eating bamboo in a bamboo forest
a cup of tea and a slice of cake on a plate
a knight in shining armor holding a sword
a wizard reading a glowing spell book
a cartoon of a happy whale jumping out of the water
a minimalist logo of a mountain and a river
a bowl of ramen with eggs and noodles
a giant tree growing in the middle of a ruined temple
it's a sunny day and the kids are playing outside
they're walking along the beach and we'll follow them
""".strip().splitlines()


def corpus() -> list[str]:
    """A deterministic English caption corpus (a few thousand lines)."""
    lines: list[str] = list(SENTENCES)
    for i, color in enumerate(COLORS):
        for j, shape in enumerate(SHAPES):
            size = SIZES[(i + j) % len(SIZES)]
            place = PLACES[(i * 3 + j) % len(PLACES)]
            bg = COLORS[(i + 2 * j + 1) % len(COLORS)]
            lines.append(f"a {size} {color} {shape} at the {place} on a {bg} background")
            lines.append(f"an image of a {color} {shape} in the {place}")
    for i, animal in enumerate(ANIMALS):
        for j, style in enumerate(STYLES):
            adj = ADJECTIVES[(i * 7 + j) % len(ADJECTIVES)]
            light = LIGHTING[(i + j) % len(LIGHTING)]
            q = QUALITY[(i * 5 + j * 3) % len(QUALITY)]
            color = COLORS[(i + j) % len(COLORS)]
            lines.append(f"a {adj} {style} of a {color} {animal} {light}, {q}")
    for i, obj in enumerate(OBJECTS):
        for j, adj in enumerate(ADJECTIVES):
            if (i + j) % 3:
                continue
            style = STYLES[(i + 2 * j) % len(STYLES)]
            light = LIGHTING[(i * 2 + j) % len(LIGHTING)]
            lines.append(f"{style} of a {adj} {obj} {light}")
    return lines


# --- training -----------------------------------------------------------------------------


def _word_counts(lines: list[str]) -> Counter[tuple[str, ...]]:
    b2u = bytes_to_unicode()
    counts: Counter[tuple[str, ...]] = Counter()
    for line in lines:
        for piece in pre_tokenize(line):
            chars = [b2u[b] for b in piece.encode("utf-8")]
            chars[-1] = chars[-1] + "</w>"
            counts[tuple(chars)] += 1
    return counts


def _merge_word(word: tuple[str, ...], pair: tuple[str, str]) -> tuple[str, ...]:
    out: list[str] = []
    i = 0
    while i < len(word):
        if i + 1 < len(word) and word[i] == pair[0] and word[i + 1] == pair[1]:
            out.append(pair[0] + pair[1])
            i += 2
        else:
            out.append(word[i])
            i += 1
    return tuple(out)


def train_bpe(lines: list[str], num_merges: int) -> list[tuple[str, str]]:
    """Classic BPE: repeatedly merge the most frequent adjacent pair.

    Ties are broken by the lexicographically smallest pair, so training is deterministic.
    A merge whose result is already a token is skipped, so every merge adds exactly one
    new vocab entry (CLIP's vocab layout has one entry per merge).
    """
    words = _word_counts(lines)
    b2u = bytes_to_unicode()
    known: set[str] = set(b2u.values()) | {c + "</w>" for c in b2u.values()}
    merges: list[tuple[str, str]] = []
    banned: set[tuple[str, str]] = set()
    while len(merges) < num_merges:
        pairs: Counter[tuple[str, str]] = Counter()
        for word, n in words.items():
            for a, b in zip(word, word[1:]):
                pairs[(a, b)] += n
        candidates = [(-n, p) for p, n in pairs.items() if p not in banned]
        if not candidates:
            break
        _, best = min(candidates)
        token = best[0] + best[1]
        if token in known:
            banned.add(best)
            continue
        known.add(token)
        merges.append(best)
        words = Counter({_merge_word(w, best): n for w, n in words.items()})
    return merges


def build_vocab(merges: list[tuple[str, str]]) -> dict[str, int]:
    base = list(bytes_to_unicode().values())
    tokens = base + [t + "</w>" for t in base] + ["".join(m) for m in merges] + [BOS_TOKEN, EOS_TOKEN]
    vocab = {t: i for i, t in enumerate(tokens)}
    assert len(vocab) == len(tokens), "duplicate vocab entries"
    return vocab


class Tokenizer:
    """The learned vocab + merges, and the JSON side files, for one or more variants."""

    def __init__(self, num_merges: int = DEFAULT_NUM_MERGES, lines: list[str] | None = None) -> None:
        self.merges = train_bpe(corpus() if lines is None else lines, num_merges)
        self.vocab = build_vocab(self.merges)

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    @property
    def bos_id(self) -> int:
        return self.vocab[BOS_TOKEN]

    @property
    def eos_id(self) -> int:
        return self.vocab[EOS_TOKEN]

    def token_id(self, token: str) -> int:
        return self.vocab[token]

    def encode(self, text: str) -> list[int]:
        """Reference CLIP BPE encode (no BOS/EOS, no padding); used for self-checks."""
        b2u = bytes_to_unicode()
        ranks = {m: i for i, m in enumerate(self.merges)}
        ids: list[int] = []
        for piece in pre_tokenize(text):
            word = [b2u[b] for b in piece.encode("utf-8")]
            word[-1] += "</w>"
            parts = tuple(word)
            while len(parts) > 1:
                pairs = set(zip(parts, parts[1:]))
                best = min(pairs, key=lambda p: ranks.get(p, float("inf")))
                if best not in ranks:
                    break
                parts = _merge_word(parts, best)
            ids.extend(self.vocab[p] for p in parts)
        return ids

    def write(self, folder: Path, pad_token: str = EOS_TOKEN) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        # ensure_ascii=False: vocab.json is UTF-8, as in real CLIP tokenizer folders.
        (folder / "vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False) + "\n", encoding="utf-8")
        merges_txt = "#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in self.merges)
        (folder / "merges.txt").write_text(merges_txt, encoding="utf-8")
        config = {
            "model_max_length": MODEL_MAX_LENGTH,
            "bos_token": BOS_TOKEN,
            "eos_token": EOS_TOKEN,
            "pad_token": pad_token,
            "unk_token": EOS_TOKEN,
            "do_lower_case": True,
            "tokenizer_class": "CLIPTokenizer",
        }
        write_json(folder / "tokenizer_config.json", config)

        # Same shape as Stable Diffusion's shipped special_tokens_map.json: AddedToken
        # objects for bos/eos/unk, a plain string for pad.
        def added(content: str) -> dict[str, object]:
            return {"content": content, "lstrip": False, "normalized": True, "rstrip": False, "single_word": False}

        special = {
            "bos_token": added(BOS_TOKEN),
            "eos_token": added(EOS_TOKEN),
            "pad_token": pad_token,
            "unk_token": added(EOS_TOKEN),
        }
        write_json(folder / "special_tokens_map.json", special)


def write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
