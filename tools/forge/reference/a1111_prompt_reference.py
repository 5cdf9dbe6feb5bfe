"""Golden prompt conditioning from AUTOMATIC1111's documented prompt handling, for the engine's parity test.

Written from the behaviour A1111 documents (its wiki, "Features → Attention/emphasis", "Infinite prompt length",
"BREAK keyword", "Clip skip", and the doctest of `prompt_parser.parse_prompt_attention`), not from its code:

1. emphasis: `(a)` ×1.1, `[a]` ÷1.1, `(a:w)` ×w, `\\(` literal, a bracket left open applies to the end, runs of
   equal weight merge; `BREAK` ends a chunk;
2. chunking: each weighted run tokenized on its own (transformers' `CLIPTokenizer`, no special tokens, no
   truncation), 75 tokens per chunk, a full chunk moving the words after a comma within 20 tokens back to the next
   chunk (`comma_padding_backtrack` 20), each chunk laid out as start, tokens, end, padding (A1111 pads with the
   end token, then rewrites everything after the first end token to the pad token where the two differ);
3. each chunk encoded on its own by the ONNX text encoder(s), its hidden states multiplied per token by the weights
   and rescaled by `original mean / new mean` (the "Original" emphasis), the chunks concatenated along the token
   axis; a shorter text padded with the encoding of "" (`pad_cond_uncond`);
4. SDXL: per encoder the same, the two encoders' states concatenated per token, the pooled `text_embeds` from the
   first chunk; clip skip k reads `hidden_states[-(k + 1)]` (diffusers' `clip_skip` = k − 1; SD 1.x/2.x fixtures have
   no per-layer outputs, so clip skip is exercised on SDXL only).

Writes `test/fixtures/goldens/a1111-prompts.json`; see README.md next to this file.
"""

import argparse
import base64
import platform
import re
import sys
from pathlib import Path

import numpy as np
from diffusers_reference import format_json  # the script beside this one; imports nothing heavy

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_MODELS = REPO_ROOT / "test" / "fixtures" / "models"
DEFAULT_OUT = REPO_ROOT / "test" / "fixtures" / "goldens" / "a1111-prompts.json"

CHUNK_TOKENS = 75
COMMA_BACKTRACK = 20
EMPHASIS = 1.1

# Comma-separated phrases, ~100 tokens with the fixtures' vocabulary, so chunking and the comma backtrack both happen.
LONG = ", ".join(f"a {colour} circle above a small {shape}" for colour, shape in [
    ("red", "square"), ("blue", "triangle"), ("green", "star"), ("yellow", "square"),
    ("purple", "circle"), ("orange", "triangle"), ("white", "star"), ("black", "square"),
])

# name, fixture, clip skip, texts in the order the engine encodes them (negative prompt first, when there is one).
CASES = [
    ("sd15-plain", "sd15-int32", 1, ["a red circle on a blue background"]),
    ("sd15-emphasis", "sd15-int32", 1, ["[blurry], (low quality:1.4)", "a (red:1.3) circle on a [blue] background, ((sun)) \\(literal\\)"]),
    ("sd15-long", "sd15-int32", 1, [LONG]),
    ("sd15-long-emphasis", "sd15-int32", 1, [f"(({LONG[:150]})), [{LONG[150:]}"]),
    ("sd15-break", "sd15-int32", 1, ["blurry BREAK dark", "a red circle BREAK (a blue square:0.8)"]),
    ("sd15-long-negative", "sd15-int32", 1, [LONG, "(a red circle:1.2)"]),
    ("sd2-long-emphasis", "sd2-v-prediction", 1, [f"{LONG}, (bright:1.5)"]),
    ("sdxl-long-emphasis", "sdxl", 1, ["(blurry:1.2)", f"[{LONG}], (sharp:1.3)"]),
    ("sdxl-clip-skip-2", "sdxl", 2, ["a (purple:1.2) triangle"]),
]

# The golden keeps every SAMPLE_STRIDE-th value of each conditioning tensor (7 is prime to the widths 32, 48 and 80,
# so every channel and token is sampled) and the sums over all of it: small, and any wrong token, weight, rescale or
# chunk order shows in both.
SAMPLE_STRIDE = 7


def parse_prompt_attention(text):
    """The documented grammar as [text, weight] runs, BREAK as ("BREAK", None)."""
    pieces = re.compile(r"\\[()\[\]\\]|\\|\(|\[|:\s*([+-]?[.\d]+)\s*\)|\)|\]|[^\\()\[\]:]+|:")
    res, round_open, square_open = [], [], []

    def scale(start, factor):
        for item in res[start:]:
            if item[1] is not None:
                item[1] *= factor

    for match in pieces.finditer(text):
        piece, weight = match.group(0), match.group(1)
        if piece.startswith("\\"):
            res.append([piece[1:], 1.0])
        elif piece == "(":
            round_open.append(len(res))
        elif piece == "[":
            square_open.append(len(res))
        elif weight is not None and round_open:
            scale(round_open.pop(), float(weight))
        elif piece == ")" and round_open:
            scale(round_open.pop(), EMPHASIS)
        elif piece == "]" and square_open:
            scale(square_open.pop(), 1 / EMPHASIS)
        else:
            for i, part in enumerate(re.split(r"\s*\bBREAK\b\s*", piece)):
                if i > 0:
                    res.append(["BREAK", None])
                res.append([part, 1.0])
    for start in round_open:
        scale(start, EMPHASIS)
    for start in square_open:
        scale(start, 1 / EMPHASIS)
    merged = []
    for item in res:
        if item[1] is not None and item[0] == "":
            continue
        if merged and item[1] is not None and merged[-1][1] == item[1]:
            merged[-1][0] += item[0]
        else:
            merged.append(list(item))
    return merged or [["", 1.0]]


def chunk(tokenizer, text):
    """(ids, weights) per chunk: start, ≤75 tokens, end, padding; weights 1 outside the tokens."""
    comma = tokenizer.get_vocab().get(",</w>")
    chunks, ids, weights, last_comma = [], [], [], -1

    def close():
        nonlocal ids, weights, last_comma
        pad = tokenizer.pad_token_id
        row = [tokenizer.bos_token_id] + ids + [tokenizer.eos_token_id] + [pad] * (CHUNK_TOKENS - len(ids))
        chunks.append((row, [1.0] + weights + [1.0] * (CHUNK_TOKENS - len(weights) + 1)))
        ids, weights, last_comma = [], [], -1

    for run, weight in parse_prompt_attention(text):
        if weight is None:
            close()
            continue
        for token in tokenizer(run, truncation=False, add_special_tokens=False)["input_ids"]:
            if token == comma:
                last_comma = len(ids)
            elif len(ids) == CHUNK_TOKENS and last_comma != -1 and len(ids) - last_comma <= COMMA_BACKTRACK:
                moved_ids, moved_weights = ids[last_comma + 1 :], weights[last_comma + 1 :]
                ids, weights = ids[: last_comma + 1], weights[: last_comma + 1]
                close()
                ids, weights = moved_ids, moved_weights
            if len(ids) == CHUNK_TOKENS:
                close()
            ids.append(token)
            weights.append(weight)
    if ids or not chunks:
        close()
    return chunks


class Encoder:
    def __init__(self, folder: Path, tokenizer_folder: Path, clip_skip: int, penultimate: bool):
        import onnxruntime as ort
        from transformers import CLIPTokenizer

        self.session = ort.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])
        self.tokenizer = CLIPTokenizer.from_pretrained(str(tokenizer_folder))
        self.input_type = np.int64 if "int64" in self.session.get_inputs()[0].type else np.int32
        names = [output.name for output in self.session.get_outputs()]
        layers = sorted(int(name.split(".")[1]) for name in names if name.startswith("hidden_states."))
        if penultimate:
            self.output = f"hidden_states.{layers[-(clip_skip + 1)]}"
        else:
            assert clip_skip == 1, "SD 1.x/2.x fixtures have no per-layer outputs"
            self.output = "last_hidden_state"
        self.pooled = "text_embeds" if "text_embeds" in names else None

    def encode_chunk(self, ids, weights):
        """One chunk alone (batch 1): weighted hidden states [77, width], pooled or None."""
        import torch

        names = [self.output] + ([self.pooled] if self.pooled else [])
        outputs = self.session.run(names, {"input_ids": np.array([ids], dtype=self.input_type)})
        z = torch.from_numpy(np.asarray(outputs[0], dtype=np.float32))
        multipliers = torch.tensor([weights], dtype=torch.float32)
        original_mean = z.mean()
        z = z * multipliers.reshape(multipliers.shape + (1,)).expand(z.shape)
        new_mean = z.mean()
        z = z * (original_mean / new_mean)
        return z[0].numpy(), (outputs[1][0] if self.pooled else None)


def run_case(models: Path, name, variant, clip_skip, texts):
    folder = models / variant
    xl = (folder / "text_encoder_2").is_dir()
    encoders = [Encoder(folder / "text_encoder", folder / "tokenizer", clip_skip, xl)]
    if xl:
        encoders.append(Encoder(folder / "text_encoder_2", folder / "tokenizer_2", clip_skip, True))
    per_encoder = [[chunk(encoder.tokenizer, text) for text in texts] for encoder in encoders]
    count = max(len(chunks) for texts_chunks in per_encoder for chunks in texts_chunks)
    states, pooled, ids = [], [], []
    for text_index in range(len(texts)):
        blocks, text_ids = [], []
        for encoder, texts_chunks in zip(encoders, per_encoder):
            chunks = texts_chunks[text_index]
            encoded = [encoder.encode_chunk(*c) for c in chunks]
            empty = encoder.encode_chunk(*chunk(encoder.tokenizer, "")[0])
            encoded += [empty] * (count - len(chunks))
            blocks.append(np.concatenate([state for state, _ in encoded], axis=0))
            if encoder.pooled:
                pooled.append(encoded[0][1])
            text_ids.append([c[0] for c in chunks])
        states.append(np.concatenate(blocks, axis=-1).astype(np.float32))
        ids.append(text_ids)
    return {
        "name": name,
        "variant": variant,
        "clipSkip": clip_skip,
        "texts": [
            {"field": field, "text": text}
            for field, text in zip(["negative_prompt", "prompt"][2 - len(texts) :], texts)
        ],
        "chunkCount": count,
        "shape": list(states[0].shape),
        # Per text, per encoder, per chunk (before padding with empty chunks): the 77 ids.
        "chunkIds": ids,
        "sampleStride": SAMPLE_STRIDE,
        "hiddenStates": [
            {
                "sample": base64.b64encode(s.reshape(-1)[::SAMPLE_STRIDE].astype("<f4").tobytes()).decode(),
                "sum": float(s.astype(np.float64).sum()),
                "sumAbs": float(np.abs(s.astype(np.float64)).sum()),
            }
            for s in states
        ],
        "pooled": [base64.b64encode(np.asarray(p, dtype="<f4").tobytes()).decode() for p in pooled] or None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=Path, default=DEFAULT_MODELS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()

    import onnxruntime
    import torch
    import transformers

    torch.set_num_threads(1)
    results = [run_case(args.models, *spec) for spec in CASES]
    for result in results:
        print(f"{result['name']}: {result['chunkCount']} chunks, shape {result['shape']}", file=sys.stderr)
    golden = {
        "about": (
            "Prompt conditioning as AUTOMATIC1111 documents it (emphasis, 75-token chunks with comma backtrack, BREAK, "
            "Original emphasis rescale, clip skip) on test/fixtures/models; made by "
            "tools/forge/reference/a1111_prompt_reference.py. hiddenStates/pooled: base64 of little-endian float32, "
            "per text (negative prompt, prompt): every sampleStride-th value of the [chunkCount × 77, width] row-major tensor, "
            "and its sum and sum of absolute values (float64)."
        ),
        "versions": {
            "torch": torch.__version__,
            "onnxruntime": onnxruntime.__version__,
            "transformers": transformers.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "cases": results,
    }
    args.out.write_text(format_json(golden))
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes, {len(results)} cases)", file=sys.stderr)


if __name__ == "__main__":
    main()
