"""Finding a YOLO dataset's parts as people have them: data.yaml or classes.txt, image folders, label files.

Accepted layouts (Ultralytics first, then the older darknet / labelImg ones):
- data.yaml with `names` (list or {id: name}), optional `path`, `train`/`val`/`test` (a folder of images, a .txt
  list of image paths, or a list of either), `kpt_shape` for pose; the splits are read relative to `path` when that
  is a folder inside the yaml's folder, else relative to the yaml's folder (Ultralytics' `path: ../datasets/x` is
  relative to its own datasets folder, which we do not have); Roboflow's `../train/images` is tried without `../`.
- no yaml (or a yaml without splits): every image under images/ (or under the folder itself).
- label file of an image: Ultralytics' `.../images/...` -> `.../labels/...`, else a .txt beside the image, else a
  `labels/` folder next to the image's folder.
- class names: the yaml's `names`, else classes.txt / obj.names / classes.names in the folder or its labels/.
Nothing outside the dataset folder is read: a split or list entry that leads out of it is reported and skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.formats.common import is_int
from core.formats.dataset import FormatError, Issue
from core.formats.untrusted import brief, load_yaml, name_problem
from core.media import IMAGE_EXTENSIONS

_YAML_SUFFIXES = (".yaml", ".yml")
_CLASS_FILES = ("classes.txt", "obj.names", "classes.names")
_SPLITS = ("train", "val", "test")

MAX_KEYPOINTS = 1000  # per object; whole-body templates have 133, none known has more than a few hundred


@dataclass
class YoloLayout:
    root: Path  # the dataset folder: nothing outside it is read
    names: dict[int, str] = field(default_factory=dict)
    kpt_shape: tuple[int, int] | None = None
    task: str | None = None  # our own `task:` key in data.yaml, or the format variant's task
    images: list[Path] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def label_file(self, image: Path) -> Path | None:
        """The label file of an image, by the layouts above; None when it has none (a background image)."""
        rel = image.relative_to(self.root)
        parts = list(rel.parts)
        candidates = []
        if "images" in parts[:-1]:
            at = len(parts) - 2 - parts[-2::-1].index("images")
            candidates.append(self.root.joinpath(*parts[:at], "labels", *parts[at + 1 :]).with_suffix(".txt"))
        candidates += [image.with_suffix(".txt"), image.parent.parent / "labels" / (image.stem + ".txt")]
        return next((c for c in candidates if c.is_file()), None)


def find_layout(path: Path, task: str | None) -> YoloLayout:
    path = Path(path)
    if path.is_file() and path.suffix.lower() in _YAML_SUFFIXES:
        config_file: Path | None = path
        root = path.parent
    elif path.is_dir():
        root = path
        config_file = _find_yaml(path)
    else:
        raise FormatError(f"{path}: not a YOLO dataset folder or data.yaml (no such folder, or not a .yaml file)")
    layout = YoloLayout(root.resolve(), task=task)
    config = _load_yaml(config_file) if config_file else {}
    layout.names = _names(config, config_file) if "names" in config else _class_file_names(layout.root)
    layout.kpt_shape = _kpt_shape(config, config_file)
    if layout.task is None and config.get("task") in ("detect", "segment", "pose", "obb"):
        layout.task = config["task"]
    splits = [config[s] for s in _SPLITS if config.get(s)]
    base = _base(layout, config, config_file)
    images: dict[Path, None] = {}
    for entry in (e for split in splits for e in (split if isinstance(split, list) else [split])):
        images.update(dict.fromkeys(_split_images(layout, base, entry, config_file)))
    if not splits:
        start = layout.root / "images" if (layout.root / "images").is_dir() else layout.root
        images.update(dict.fromkeys(_images_in(layout, start)))
    layout.images = list(images)
    if not layout.images:
        raise FormatError(f"{path}: no images found (expected images/ with labels/, or a data.yaml with train/val)")
    return layout


def _find_yaml(folder: Path) -> Path | None:
    if (folder / "data.yaml").is_file():
        return folder / "data.yaml"
    found = sorted(p for p in folder.iterdir() if p.suffix.lower() in _YAML_SUFFIXES and p.is_file())
    with_names = [p for p in found if "names" in _load_yaml(p)]
    return with_names[0] if with_names else None


def _load_yaml(file: Path) -> dict[str, Any]:
    data = load_yaml(file)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FormatError(f"{file}: not a YOLO data.yaml: expected a mapping, got a {type(data).__name__}")
    return data


def _names(config: dict[str, Any], file: Path | None) -> dict[int, str]:
    raw = config["names"]
    if isinstance(raw, list) and all(isinstance(n, (str, int)) for n in raw):
        return {i: str(n) for i, n in enumerate(raw)}
    if isinstance(raw, dict):
        names = {}
        for key, value in raw.items():
            index = int(key) if isinstance(key, str) and key.isdigit() else key
            if not is_int(index) or index < 0 or not isinstance(value, (str, int)):
                raise FormatError(f"{file}: names: {brief(key)}: {brief(value)} is not 'class id: name'")
            names[index] = str(value)
        return names
    raise FormatError(f"{file}: names must be a list of class names or a mapping of id to name, got {brief(raw)}")


def _class_file_names(root: Path) -> dict[int, str]:
    for folder in (root, root / "labels"):
        for name in _CLASS_FILES:
            file = folder / name
            if file.is_file():
                lines = [line.strip() for line in file.read_text(encoding="utf-8", errors="replace").splitlines()]
                return {i: line for i, line in enumerate(line for line in lines if line)}
    return {}


def _kpt_shape(config: dict[str, Any], file: Path | None) -> tuple[int, int] | None:
    shape = config.get("kpt_shape")
    if shape is None:
        return None
    if not (isinstance(shape, list) and len(shape) == 2 and all(is_int(v) for v in shape)
            and 0 < shape[0] <= MAX_KEYPOINTS and shape[1] in (2, 3)):
        raise FormatError(
            f"{file}: kpt_shape must be [number of keypoints (1 to {MAX_KEYPOINTS}), 2 or 3], got {brief(shape)}"
        )
    return shape[0], shape[1]


def _base(layout: YoloLayout, config: dict[str, Any], file: Path | None) -> Path:
    """The folder splits are relative to: `path` when it is a folder inside the dataset, else the dataset folder."""
    given = config.get("path")
    if isinstance(given, str) and given and not name_problem(given):
        folder = _inside_path(layout.root, layout.root, given)
        if folder is not None and folder.is_dir():
            return folder
        if Path(given).resolve() == layout.root:
            return layout.root
        layout.issues.append(Issue(f"{file.name if file else 'data.yaml'}",
                                   f"path {brief(given)} is not a folder inside {layout.root}; "
                                   "splits are read from there"))
    return layout.root


def _split_images(layout: YoloLayout, base: Path, entry: Any, file: Path | None) -> list[Path]:
    where = file.name if file else "data.yaml"
    if not isinstance(entry, str):
        layout.issues.append(Issue(where, f"split {brief(entry)} is not a path; skipped"))
        return []
    if name_problem(entry):
        layout.issues.append(Issue(where, f"split {name_problem(entry)}; skipped"))
        return []
    target = _inside_path(layout.root, base, entry) or _inside_path(layout.root, base, entry.lstrip("./"))
    if target is None or not target.exists():
        layout.issues.append(Issue(where, f"split {brief(entry)} is not a folder or list inside the dataset; skipped"))
        return []
    if target.is_dir():
        return _images_in(layout, target)
    images = []
    for number, line in enumerate(target.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        image = None if name_problem(line) else _inside_path(layout.root, target.parent, line)
        if name_problem(line):
            layout.issues.append(Issue(f"{target.name}:{number}", f"image {name_problem(line)}; skipped"))
        elif image is None:
            layout.issues.append(Issue(f"{target.name}:{number}", f"{brief(line)} leads outside the dataset; not read"))
        elif not image.is_file():
            layout.issues.append(Issue(f"{target.name}:{number}", f"image {brief(line)} not found; skipped"))
        else:
            images.append(image)
    return images


def _inside_path(root: Path, base: Path, entry: str) -> Path | None:
    """`entry` relative to `base` as a path inside `root`, or None when it leads out (or is absolute elsewhere)."""
    text = entry.replace("\\", "/")
    candidate = Path(text) if Path(text).is_absolute() else base / text
    if not _under(root, candidate):
        return None
    rel = candidate.resolve().relative_to(root).as_posix()
    return root if rel == "." else root / rel


def _under(root: Path, path: Path) -> bool:
    return path.resolve().is_relative_to(root)


def _images_in(layout: YoloLayout, folder: Path) -> list[Path]:
    """Image files under `folder`, resolved; a link to a file outside the dataset is reported and not read."""
    found = (p for p in folder.rglob("*")
             if p.suffix.lower() in IMAGE_EXTENSIONS and "labels" not in p.relative_to(folder).parts)
    images = []
    for path in sorted(p for p in found if p.is_file()):
        if _under(layout.root, path):
            images.append(path.resolve())
        else:
            where = path.relative_to(layout.root).as_posix() if path.is_relative_to(layout.root) else str(path)
            layout.issues.append(Issue(where, "links to a file outside the dataset folder; not read"))
    return images
