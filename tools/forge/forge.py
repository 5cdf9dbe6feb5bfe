#!/usr/bin/python3
"""Stipple's model forge: builds tiny Stable-Diffusion-layout ONNX models (dev-time only).

    /usr/bin/python3 tools/forge/forge.py fixtures --out test/fixtures/models

Needs Debian's python3-torch and python3-onnx (see README.md), and for the tokenizer-json variant another Python
with transformers (--transformers-python).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import warnings
from pathlib import Path

# Make the sibling modules importable however the script is invoked.
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _sha256_tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def cmd_fixtures(args: argparse.Namespace) -> int:
    import torch

    from bpe_vocab import Tokenizer
    from fixtures import build_broken, build_variant, write_vae_upcast_golden
    from safety_fixture import build_safety_checker_variant
    from variants import BROKEN_BASE, SAFETY_CHECKER_BASE, SAFETY_CHECKER_VARIANT, VARIANTS

    torch.set_num_threads(1)  # single-threaded kernels: identical floats on every run
    torch.use_deterministic_algorithms(True)
    warnings.filterwarnings("ignore", category=UserWarning)  # tracer chatter
    try:
        from torch.onnx import TracerWarning

        warnings.filterwarnings("ignore", category=TracerWarning)
    except ImportError:
        pass

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    wanted = set(args.only or [v.name for v in VARIANTS] + [SAFETY_CHECKER_VARIANT])
    unknown = wanted - {v.name for v in VARIANTS} - {SAFETY_CHECKER_VARIANT}
    if unknown:
        print(f"unknown variant(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2

    tok = Tokenizer()
    print(f"tokenizer: {len(tok.merges)} merges, vocab_size {tok.vocab_size}")
    for variant in VARIANTS:
        if variant.name not in wanted:
            continue
        folder = build_variant(variant, tok, out, args.transformers_python)
        print(f"built {folder}  ({variant.summary})")
        if variant.vae_overflow:
            golden = Path(args.goldens) / f"{variant.name}.json"
            write_vae_upcast_golden(variant, golden)
            print(f"wrote {golden}")
    if BROKEN_BASE in wanted and not args.no_broken:
        for folder in build_broken(out):
            print(f"built {folder}")
    if SAFETY_CHECKER_VARIANT in wanted or SAFETY_CHECKER_BASE in wanted:
        folder = build_safety_checker_variant(out)
        print(f"built {folder}  ({SAFETY_CHECKER_BASE}'s files + a tiny safety checker and feature extractor)")

    if args.print_hashes:
        for rel, digest in _sha256_tree(out).items():
            print(f"{digest}  {rel}")
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"total {total / 1e6:.2f} MB in {out}")
    return 0


def cmd_tokenize(args: argparse.Namespace) -> int:
    from bpe_vocab import Tokenizer

    tok = Tokenizer()
    inv = {i: t for t, i in tok.vocab.items()}
    for text in args.text:
        ids = [tok.bos_id, *tok.encode(text), tok.eos_id]
        print(f"{text!r}\n  ids    {ids}\n  tokens {[inv[i] for i in ids]}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from shapes.train import TrainSettings, train

    base = TrainSettings()
    settings = replace(
        base,
        seed=args.seed,
        vae_steps=round(base.vae_steps * args.scale),
        unet_steps=round(base.unet_steps * args.scale),
        threads=args.threads,
    )
    train(Path(args.out), settings)
    return 0


def cmd_finetune(args: argparse.Namespace) -> int:
    import os
    from dataclasses import replace

    # OpenBLAS's own thread pool on top of torch's oversubscribes a small machine; set before torch loads it.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads or 1))
    from shapes.finetune import FinetuneSettings, finetune

    given = {"seed": args.seed, "steps": args.steps, "threads": args.threads}
    settings = replace(FinetuneSettings(), **{name: value for name, value in given.items() if value is not None})
    finetune(Path(args.model), Path(args.out or args.model), settings)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="forge.py", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    fx = sub.add_parser("fixtures", help="build the tiny random-weight test fixtures")
    fx.add_argument("--out", required=True, help="output folder, e.g. test/fixtures/models")
    fx.add_argument("--only", nargs="+", metavar="VARIANT", help="build only these variants")
    fx.add_argument("--no-broken", action="store_true", help="skip the broken/ error fixtures")
    fx.add_argument("--goldens", default="test/fixtures/goldens", help="where fixture goldens go (fp16-vae-upcast)")
    fx.add_argument("--print-hashes", action="store_true", help="print sha256 of every file written")
    fx.add_argument(
        "--transformers-python",
        default=sys.executable,
        help="a Python with transformers, which writes tokenizer-json's tokenizer.json (default: this one)",
    )
    fx.set_defaults(func=cmd_fixtures)

    tk = sub.add_parser("tokenize", help="print the fixture tokenizer's ids for some prompts (test vectors)")
    tk.add_argument("text", nargs="+")
    tk.set_defaults(func=cmd_tokenize)

    tr = sub.add_parser("train", help="train the tiny-shapes default model and export it (about 50 min on 2 CPU cores)")
    tr.add_argument("--out", default="models/tiny-shapes", help="model folder to write")
    tr.add_argument("--seed", type=int, default=7)
    tr.add_argument("--scale", type=float, default=1.0, help="multiply the training steps (e.g. 4 on a GPU machine)")
    tr.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    tr.set_defaults(func=cmd_train)

    ft = sub.add_parser(
        "finetune",
        help="continue a trained tiny-shapes UNet with captions swapped at low noise (image to image; ~15 min on 2 cores)",
    )
    ft.add_argument("--model", default="models/tiny-shapes", help="trained model folder to start from")
    ft.add_argument("--out", help="model folder to write (default: --model, in place)")
    ft.add_argument("--seed", type=int, help="default: FinetuneSettings' (shapes/finetune.py), as --steps and --threads")
    ft.add_argument("--steps", type=int, help="UNet steps of batch 64")
    ft.add_argument("--threads", type=int, help="torch CPU threads")
    ft.set_defaults(func=cmd_finetune)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
