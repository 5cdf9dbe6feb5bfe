"""ONNX export and post-processing.

Export is plain ``torch.onnx.export`` with constant folding, named inputs/outputs and
dynamic axes, as Optimum and diffusers' conversion scripts do. Post-processing then:

* makes the file reproducible (fixed producer fields, no doc strings, fixed graph name);
* optionally converts to an fp16 *interface* with fp16 weights (:func:`to_float16_io`);
* optionally renames a graph input (for the broken fixtures);
* saves, optionally with all weights in one external-data file.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

PRODUCER_NAME = "stipple-forge"
PRODUCER_VERSION = f"torch-{torch.__version__.split('+')[0]}"


def export_module(
    module: torch.nn.Module,
    args: tuple[torch.Tensor, ...],
    input_names: Sequence[str],
    output_names: Sequence[str],
    dynamic_axes: Mapping[str, Mapping[int, str]],
    opset: int,
) -> onnx.ModelProto:
    module.eval()
    buf = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(
            module,
            args,
            buf,
            input_names=list(input_names),
            output_names=list(output_names),
            dynamic_axes={k: dict(v) for k, v in dynamic_axes.items()},
            opset_version=opset,
            do_constant_folding=True,
        )
    return onnx.load_from_string(buf.getvalue())


def make_reproducible(model: onnx.ModelProto, graph_name: str) -> onnx.ModelProto:
    model.producer_name = PRODUCER_NAME
    model.producer_version = PRODUCER_VERSION
    model.doc_string = ""
    model.graph.name = graph_name
    model.graph.doc_string = ""
    for node in model.graph.node:
        node.doc_string = ""
    return model


def _replace_input_refs(graph: onnx.GraphProto, old: str, new: str) -> None:
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name == old:
                node.input[i] = new


def to_float16_io(model: onnx.ModelProto) -> onnx.ModelProto:
    """fp16 weights and fp16 graph inputs/outputs around an fp32 compute graph.

    Every float32 initializer ``W`` is stored as float16 ``W_fp16`` followed by
    ``Cast(W_fp16) -> W``; every float32 graph input ``x`` becomes float16 and is cast
    up on entry; every float32 graph output ``y`` is produced as float32 ``y_fp32`` and
    cast down to float16 ``y``. ONNX Runtime's CPU provider then runs the whole model
    (it lacks fp16 kernels for several ops an all-fp16 graph would need).
    """
    graph = model.graph
    head: list[onnx.NodeProto] = []
    tail: list[onnx.NodeProto] = []

    new_inits = []
    for init in graph.initializer:
        if init.data_type != TensorProto.FLOAT:
            new_inits.append(init)
            continue
        arr = numpy_helper.to_array(init).astype(np.float16)
        half = numpy_helper.from_array(arr, name=f"{init.name}_fp16")
        new_inits.append(half)
        head.append(helper.make_node("Cast", [half.name], [init.name], to=TensorProto.FLOAT, name=f"{init.name}_cast"))
    del graph.initializer[:]
    graph.initializer.extend(new_inits)

    for inp in graph.input:
        if inp.type.tensor_type.elem_type != TensorProto.FLOAT:
            continue
        inp.type.tensor_type.elem_type = TensorProto.FLOAT16
        internal = f"{inp.name}_fp32"
        _replace_input_refs(graph, inp.name, internal)
        head.append(helper.make_node("Cast", [inp.name], [internal], to=TensorProto.FLOAT, name=f"{inp.name}_cast"))

    for out in graph.output:
        if out.type.tensor_type.elem_type != TensorProto.FLOAT:
            continue
        out.type.tensor_type.elem_type = TensorProto.FLOAT16
        internal = f"{out.name}_fp32"
        for node in graph.node:
            for i, name in enumerate(node.output):
                if name == out.name:
                    node.output[i] = internal
        _replace_input_refs(graph, out.name, internal)
        tail.append(helper.make_node("Cast", [internal], [out.name], to=TensorProto.FLOAT16, name=f"{out.name}_cast"))

    nodes = head + list(graph.node) + tail
    del graph.node[:]
    graph.node.extend(nodes)
    # value_info entries were computed for the fp32 graph; the renamed boundary tensors
    # would be stale, and ORT re-infers shapes anyway.
    del graph.value_info[:]
    return model


def rename_input(model: onnx.ModelProto, old: str, new: str) -> onnx.ModelProto:
    graph = model.graph
    found = False
    for inp in graph.input:
        if inp.name == old:
            inp.name = new
            found = True
    if not found:
        raise KeyError(f"graph has no input {old!r}")
    _replace_input_refs(graph, old, new)
    return model


def save_model(model: onnx.ModelProto, path: Path, external_data: str | None = None) -> None:
    """Check and write ``model``; with ``external_data``, all weights go to that one file beside it."""
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    if external_data is None:
        path.write_bytes(model.SerializeToString())
        return
    data_path = path.parent / external_data
    # onnx appends to an existing external-data file, so start from nothing.
    data_path.unlink(missing_ok=True)
    onnx.save_model(
        model,
        str(path),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=external_data,
        size_threshold=0,
        convert_attribute=False,
    )
