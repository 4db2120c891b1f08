"""Open a model: session on the chosen provider, its graph, its family and its checked card, in one step.

The family is taken from (first that says): the caller's override, the card's `family`, the Ultralytics `task`
metadata, or the graph's layout when exactly one family fits it. When none does, the error lists the families so the
app can ask the person which one it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import onnxruntime as ort

from core.media import content_hash
from core.messages import translate
from inference.cards import ModelCard, build_card, card_beside, read_card_file
from inference.errors import ModelError
from inference.families import ALIASES, FAMILIES, Family
from inference.graph import GraphInfo
from inference.providers import RuntimeInfo, create_session


@dataclass(frozen=True)
class LoadedModel:
    path: Path
    model_id: str  # content hash of the .onnx: predictions name it, and a resumed run skips what it predicted
    session: ort.InferenceSession
    runtime: RuntimeInfo
    graph: GraphInfo
    family: Family
    card: ModelCard


def model_id(*paths: str | Path) -> str:
    """The content hash of a model file (of the files together, for two-part models)."""
    if len(paths) == 1:
        return content_hash(paths[0])
    return hashlib.blake2b("".join(content_hash(p) for p in paths).encode(), digest_size=32).hexdigest()


def family_named(name: str, where: str | Path) -> Family:
    key = ALIASES.get(name.lower(), name.lower())
    if key not in FAMILIES:
        raise ModelError(where, translate("inference", "unknown model family {name!r}; known: {known}").format(
            name=name, known=", ".join(sorted(FAMILIES))))
    return FAMILIES[key]


def pick_family(graph: GraphInfo, card_family: str | None, source: str) -> Family:
    if card_family:
        return family_named(card_family, source or graph.path)
    task = graph.metadata.get("task")
    by_task = [f for f in FAMILIES.values() if task and f.task == task]
    if by_task:
        return by_task[0]
    fitting = [f for f in FAMILIES.values() if f.matches(graph)]
    if len(fitting) == 1:
        return fitting[0]
    guess = translate("inference", " (it could be {families})").format(
        families=" or ".join(f.name for f in fitting)) if fitting else ""
    raise ModelError(graph.path, translate(
        "inference", 'cannot tell which kind of model this is from its graph{guess}: {graph}; give a card with '
        '"family": one of {known}').format(guess=guess, graph=graph.describe(), known=", ".join(sorted(FAMILIES))))


def resolve_card(
    graph: GraphInfo, card_path: str | Path | None = None, overrides: Mapping[str, Any] | None = None
) -> tuple[Family, ModelCard]:
    """The family and the checked, completed card for a loaded graph."""
    card_file = Path(card_path) if card_path else card_beside(graph.path)
    if card_file is not None and not card_file.is_file():
        raise ModelError(card_file, translate("inference", "no such card file"))
    raw = read_card_file(card_file) if card_file else {}
    overrides = dict(overrides or {})
    source = str(card_file) if card_file else ""
    family = pick_family(graph, overrides.get("family") or raw.get("family"), source)
    layers = [family.defaults, family.from_metadata(graph), raw, overrides]
    card = build_card(layers, family.options, source)
    return family, family.complete(graph, replace(card, family=family.name))


def load_model(
    path: str | Path,
    card_path: str | Path | None = None,
    provider: str = "auto",
    overrides: Mapping[str, Any] | None = None,
    *,
    spin: bool = True,
    threads: int | None = None,
) -> LoadedModel:
    """Everything needed to run a model file; ModelError naming the file (and card) when it cannot be used."""
    path = Path(path)
    session, runtime = create_session(path, provider, spin=spin, threads=threads)
    graph = GraphInfo.from_session(path, session)
    family, card = resolve_card(graph, card_path, overrides)
    return LoadedModel(path, model_id(path), session, runtime, graph, family, card)
