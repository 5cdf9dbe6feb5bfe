"""Reads a shipped tiny-shapes ONNX component back into its torch module, so training can continue from it.

The export folds constants: a Linear's weight becomes a transposed `onnx::MatMul_N` initializer, a GroupNorm's affine
becomes `onnx::Mul_N`/`onnx::Add_N` of shape [C, 1, 1], and named initializers keep the parameter's name. Rather than
guess those names, the module is traced once with every parameter set to distinct random values (a probe): each
probe initializer is found again among the parameters, as-is, reshaped or transposed, which gives the map from
initializer to parameter. The shipped initializers are then copied through that map, and the module is traced again
and must reproduce every shipped initializer bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper


def _initializers(graph: onnx.ModelProto) -> dict[str, np.ndarray]:
    return {tensor.name: numpy_helper.to_array(tensor) for tensor in graph.graph.initializer}


def _probe_map(module: torch.nn.Module, trace: Callable[[torch.nn.Module], onnx.ModelProto]) -> dict[str, tuple[str, bool]]:
    """Parameter name -> (initializer name, transposed), from a trace of a copy with distinct random parameters."""
    probe = deepcopy(module)
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for parameter in probe.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator))
    parameters = {name: p.detach().numpy() for name, p in probe.named_parameters()}
    found: dict[str, tuple[str, bool]] = {}
    for init_name, array in _initializers(trace(probe)).items():
        for name, value in parameters.items():
            if name in found or value.size != array.size:
                continue
            if np.array_equal(value.ravel(), array.ravel()):
                found[name] = (init_name, False)
            elif array.ndim == 2 and np.array_equal(value.ravel(), array.T.ravel()):
                found[name] = (init_name, True)
    missing = sorted(set(parameters) - set(found))
    if missing:
        raise ValueError(f"parameters with no initializer in the traced graph: {', '.join(missing)}")
    return found


def load_onnx_weights(
    module: torch.nn.Module, onnx_path: Path, trace: Callable[[torch.nn.Module], onnx.ModelProto]
) -> torch.nn.Module:
    """Sets `module`'s parameters from the ONNX file that `trace(module)` exported; checks the round trip exactly."""
    shipped = _initializers(onnx.load(str(onnx_path)))
    with torch.no_grad():
        for name, (init_name, transposed) in _probe_map(module, trace).items():
            if init_name not in shipped:
                raise ValueError(f"{onnx_path} has no initializer {init_name} (for {name}): not this network's export")
            parameter = dict(module.named_parameters())[name]
            value = shipped[init_name].T if transposed else shipped[init_name]
            parameter.copy_(torch.from_numpy(np.ascontiguousarray(value)).reshape(parameter.shape))
    traced = _initializers(trace(module))
    differing = sorted(k for k, v in shipped.items() if k not in traced or not np.array_equal(v, traced[k]))
    if differing or set(traced) != set(shipped):
        raise ValueError(f"{onnx_path}: the loaded weights do not re-export to the same initializers: {differing[:5]}")
    return module
