"""tokenizer.json as transformers' CLIPTokenizerFast saves it, for the ``tokenizer-json`` variant.

The file is transformers' own output, not a copy of its format: the fixture tokenizer's vocab.json and merges.txt are
loaded with ``CLIPTokenizerFast.from_pretrained`` (which converts them with transformers' ``CLIPConverter``) and saved
with ``save_pretrained``; the variant keeps tokenizer.json alone. The forge's Python (Debian's torch and onnx) has no
transformers, so this file is also the script another Python runs for it:

    PYTHON tools/forge/tokenizer_json.py SLOW_TOKENIZER_DIR OUT_DIR
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TOKENIZER_JSON = "tokenizer.json"


def write_tokenizer_json(tok, folder: Path, pad_token: str, python: str) -> None:
    """Writes ``folder``/tokenizer.json from ``tok``'s files, with ``python`` (a Python that imports transformers)."""
    with tempfile.TemporaryDirectory(prefix="forge-tokenizer-") as tmp:
        slow, fast = Path(tmp) / "slow", Path(tmp) / "fast"
        tok.write(slow, pad_token=pad_token)
        result = subprocess.run([python, __file__, str(slow), str(fast)], capture_output=True, text=True)
        if result.returncode != 0:
            error = (result.stderr.strip().splitlines() or ["no error output"])[-1]
            raise SystemExit(
                f"{python} could not save a CLIPTokenizerFast ({error}); the "
                "tokenizer-json variant needs transformers: pass --transformers-python with a Python that has it, "
                "e.g. the reference venv of tools/forge/reference/README.md"
            )
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(fast / TOKENIZER_JSON, folder / TOKENIZER_JSON)


def save_fast_tokenizer(slow_dir: str, out_dir: str) -> None:
    from transformers import CLIPTokenizerFast

    CLIPTokenizerFast.from_pretrained(slow_dir).save_pretrained(out_dir)


if __name__ == "__main__":
    save_fast_tokenizer(*sys.argv[1:3])
