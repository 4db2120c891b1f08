"""What a loaded model's graph says about itself: input and output tensors (dynamic dims as None) and metadata.

Ultralytics exports carry `task`, `names`, `imgsz` and `kpt_shape` in the model's metadata as Python literals
("{0: 'person', 1: 'bicycle'}", "[640, 640]"); they are read with `ast.literal_eval`, never evaluated as code.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import onnxruntime as ort

Dim = int | None


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[Dim, ...]
    dtype: str  # ORT's type string, e.g. "tensor(float)"

    def describe(self) -> str:
        return f"{self.name} [{'x'.join('?' if d is None else str(d) for d in self.shape)}]"


@dataclass(frozen=True)
class GraphInfo:
    path: Path
    inputs: tuple[TensorInfo, ...]
    outputs: tuple[TensorInfo, ...]
    metadata: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_session(cls, path: str | Path, session: ort.InferenceSession) -> GraphInfo:
        meta = session.get_modelmeta().custom_metadata_map
        return cls(
            Path(path),
            tuple(_tensor(t) for t in session.get_inputs()),
            tuple(_tensor(t) for t in session.get_outputs()),
            dict(meta),
        )

    def describe(self) -> str:
        ins = ", ".join(t.describe() for t in self.inputs)
        outs = ", ".join(t.describe() for t in self.outputs)
        return f"inputs {ins}; outputs {outs}"

    @property
    def batch_dynamic(self) -> bool:
        """Whether the first input takes any batch size (its first dim is symbolic or absent)."""
        shape = self.inputs[0].shape
        return not shape or shape[0] is None

    def input_hw(self) -> tuple[Dim, Dim]:
        """Height and width of the first (NCHW) input; None where dynamic."""
        shape = self.inputs[0].shape
        return (shape[2], shape[3]) if len(shape) == 4 else (None, None)

    def literal(self, key: str) -> Any:
        """A metadata value parsed as a Python literal; None when absent or not a literal."""
        text = self.metadata.get(key)
        if text is None:
            return None
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return text


def _tensor(node: Any) -> TensorInfo:
    shape = tuple(d if isinstance(d, int) and d > 0 else None for d in (node.shape or ()))
    return TensorInfo(node.name, shape, node.type)


def ultralytics_names(graph: GraphInfo) -> tuple[str, ...]:
    """Class names from the `names` metadata ({index: name} or a list), in index order; () when absent."""
    names = graph.literal("names")
    if isinstance(names, dict):
        try:
            by_index = {int(k): str(v) for k, v in names.items()}
        except (TypeError, ValueError):
            return ()
        return tuple(by_index[i] for i in sorted(by_index))
    if isinstance(names, (list, tuple)):
        return tuple(str(n) for n in names)
    return ()
