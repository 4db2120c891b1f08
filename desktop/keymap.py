"""The one table of every key the app acts on, with presets, user rebinding and the shortcuts editor's working copy.

Scopes let one key mean different things in different modes without conflicts: "edit" keys (delete, copy, labels,
predictions) work on every task, "canvas" keys (tools, shape commands) on every task with a picture, "tasks" keys
(D/A) on images and recordings, "image", "video" and "audio" keys on their kind only (D steps a frame on a video, a
task elsewhere; Space plays a video or a recording), "global" ones everywhere. Two scopes conflict when one mode
holds both (`MODES`), and the main window turns each action's keys on or off as the mode changes (`active`).
"drawing" keys are the tools' gesture grammar (finish, remove a point, cancel, brush size): the canvas offers them to
the active tool before any other binding, and a tool with no use for one (nothing being drawn) lets it fall through,
so Enter finishes a polygon being drawn and otherwise accepts a prediction. They conflict only among themselves.
`effective_keymap` says where each binding came from (default, preset, user); `KeymapDraft` is what the shortcuts
editor (F1) changes before it is saved.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ActionSpec:
    id: str
    text: str
    keys: tuple[str, ...]
    scope: str = "canvas"
    tip: str = ""
    canvas_only: bool = False  # keys text fields need too (Enter): act only while the canvas has the focus


# Audio keys follow Audacity and Praat where they agree (../shared/guides/ux.md): Space plays, Shift+Space plays the
# selection, Ctrl+B makes a region of it, Ctrl+M marks at the playhead (press at the start and at the end).
AUDIO_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("audio.play", "Play / pause", ("Space",), "audio"),
    ActionSpec("audio.play_selection", "Play the selection", ("Shift+Space",), "audio", tip="The dragged range, else "
               "the selected segment; looped when Loop is on"),
    ActionSpec("audio.loop", "Loop on or off", ("Shift+L",), "audio"),
    ActionSpec("audio.faster", "Play faster", ("]",), "audio", tip="0.5x to 2x, pitch kept"),
    ActionSpec("audio.slower", "Play slower", ("[",), "audio"),
    ActionSpec("audio.region", "Segment from the selection", ("Ctrl+B",), "audio", tip="Or drag on a tier's lane; a "
               "digit after dragging a range makes a segment of that label"),
    ActionSpec("audio.mark", "Mark at the playhead", ("Ctrl+M",), "audio", tip="Press at the start and again at the "
               "end while listening: a segment of the current label"),
    ActionSpec("audio.split", "Split at the playhead", ("S",), "audio"),
    ActionSpec("audio.merge", "Merge the selected segments", ("M",), "audio", tip="Select them with Ctrl+click"),
    ActionSpec("audio.next_segment", "Next segment", ("Tab", "Alt+Right"), "audio", tip="On the current tier"),
    ActionSpec("audio.previous_segment", "Previous segment", ("Shift+Tab", "Alt+Left"), "audio"),
    ActionSpec("audio.forward", "1 second forward", ("Right",), "audio"),
    ActionSpec("audio.back", "1 second back", ("Left",), "audio"),
    ActionSpec("audio.forward_far", "10 seconds forward", ("Shift+Right",), "audio"),
    ActionSpec("audio.back_far", "10 seconds back", ("Shift+Left",), "audio"),
    ActionSpec("audio.start", "Go to the start", ("Home",), "audio"),
    ActionSpec("audio.end", "Go to the end", ("End",), "audio"),
    ActionSpec("audio.zoom_selection", "Zoom to the selection", ("Ctrl+E",), "audio", tip="Ctrl+F shows the whole "
               "recording; the wheel zooms down to single samples"),
    ActionSpec("audio.next_tier", "Next tier", ("Ctrl+Down",), "audio"),
    ActionSpec("audio.previous_tier", "Previous tier", ("Ctrl+Up",), "audio"),
    ActionSpec("audio.text", "Edit the transcription", ("F2",), "audio", tip="Of the selected segment; Enter goes back "
               "to the waveform"),
    ActionSpec("audio.display", "Waveform, spectrogram or both", ("Shift+S",), "audio"),
)

# Shape commands of the editor (tools/editor.py COMMANDS): arrows nudge, Tab picks the next shape, Ctrl+[ ] rotate.
# Arrows and Tab are canvas-only, so they keep moving in lists and text fields.
SHAPE_ACTIONS: tuple[ActionSpec, ...] = (
    *(ActionSpec(f"edit.nudge_{side}{far}", f"Nudge {side} {step} px", (f"{mod}{side.title()}",), canvas_only=True)
      for far, step, mod in (("", 1, ""), ("_10", 10, "Shift+")) for side in ("left", "right", "up", "down")),
    ActionSpec("select.next", "Select the next shape", ("Tab",), canvas_only=True, tip="In drawing order"),
    ActionSpec("select.previous", "Select the previous shape", ("Shift+Tab",), canvas_only=True),
    ActionSpec("edit.rotate_left", "Rotate left 1°", ("Ctrl+[",), tip="Rotated boxes and ellipses"),
    ActionSpec("edit.rotate_right", "Rotate right 1°", ("Ctrl+]",)),
    ActionSpec("edit.rotate_left_15", "Rotate left 15°", ("Ctrl+Shift+[",)),
    ActionSpec("edit.rotate_right_15", "Rotate right 15°", ("Ctrl+Shift+]",)),
    ActionSpec("edit.delete_locked", "Delete shapes, locked ones too", ("Shift+Delete",), "edit"),
)

# The tools' own gesture keys (tools/editor.py GESTURES says which key of their grammar each one sends).
DRAWING_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("draw.finish", "Finish the shape", ("Return", "Enter", "N"), "drawing", tip="Polygon, polyline and "
               "keypoints; the segment tool keeps its mask"),
    ActionSpec("draw.remove_point", "Remove the last point", ("Backspace",), "drawing", tip="Of the shape being "
               "drawn, or the last SAM click; with the select tool, the vertex under the pointer"),
    ActionSpec("draw.undo_point", "Undo the last point", ("Ctrl+Z",), "drawing", tip="While drawing; otherwise "
               "Undo has the key"),
    ActionSpec("draw.cancel", "Cancel drawing, else clear the selection", ("Escape",), "drawing"),
    ActionSpec("draw.skip_point", "Skip the next keypoint", ("S",), "drawing", tip="Not in the picture"),
    ActionSpec("draw.occluded", "Occluded on or off", ("Q",), "drawing", tip="The keypoint just placed, or (select "
               "tool) the keypoint under the pointer"),
    ActionSpec("brush.smaller", "Smaller brush", ("[",), "drawing"),
    ActionSpec("brush.bigger", "Bigger brush", ("]",), "drawing"),
)

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("tool.select", "Select and edit", ("V",), tip="Click to select, drag to move, drag a handle to resize; "
               "Shift+click an edge adds a vertex, Alt+click a vertex removes it"),
    ActionSpec("tool.box", "Box", ("R",), tip="Drag, or click two corners"),
    ActionSpec("tool.polygon", "Polygon", ("P",), tip="Click vertices; Enter, double-click or the first vertex closes; "
               "Backspace removes the last vertex"),
    ActionSpec("tool.rotated_box", "Rotated box", ("O",), tip="Drag, or click the two ends of one edge, then the "
               "height; rotate with the round handle or Ctrl+[ / Ctrl+] (Shift: 15°)"),
    ActionSpec("tool.polyline", "Polyline", ("Shift+S",), tip="Click vertices; Enter, N or double-click finishes"),
    ActionSpec("tool.point", "Point", ("Shift+P",), tip="Click to place"),
    ActionSpec("tool.ellipse", "Ellipse", ("C",), tip="Drag from the centre; Shift draws a circle"),
    ActionSpec("tool.keypoints", "Keypoints", ("Shift+K",), tip="Click the label's points in template order; "
               "S skips a point, Shift+click or Q marks it occluded, Enter finishes"),
    ActionSpec("tool.brush", "Brush", ("B",), tip="Paint a mask; [ and ] change the size"),
    ActionSpec("tool.eraser", "Eraser", ("E",), tip="Erase from the selected mask; [ and ] change the size"),
    ActionSpec("tool.segment", "Segment (SAM clicks)", ("I",), tip="Click the object (right or Shift+click excludes, "
               "drag a box); Enter keeps the mask, Backspace removes the last click, Esc drops them"),
    ActionSpec("edit.undo", "Undo", ("Ctrl+Z",), "global"),
    ActionSpec("edit.redo", "Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "global"),
    ActionSpec("edit.delete", "Delete shape", ("Delete",), "edit"),
    ActionSpec("edit.copy", "Copy shapes", ("Ctrl+C",), "edit"),
    ActionSpec("edit.paste", "Paste shapes", ("Ctrl+V",), "edit"),
    ActionSpec("edit.duplicate", "Duplicate shapes", ("Ctrl+D",), "edit"),
    ActionSpec("edit.paste_previous", "Copy shapes from the previous task", ("Ctrl+Shift+V",)),
    ActionSpec("edit.group", "Group", ("Ctrl+G",)),
    ActionSpec("edit.ungroup", "Ungroup", ("Ctrl+Shift+G",)),
    ActionSpec("edit.front", "Bring to front", ("Ctrl+Shift+Up",)),
    ActionSpec("edit.back", "Send to back", ("Ctrl+Shift+Down",)),
    ActionSpec("edit.hide", "Hide or show selected", ("H",), "edit"),
    ActionSpec("edit.hide_all", "Hide or show all", ("Ctrl+H",), "edit"),
    ActionSpec("edit.lock", "Lock or unlock selected", ("L",), "edit", tip="Locked shapes cannot be moved, edited or "
               "deleted; Shift+Delete deletes them"),
    ActionSpec("edit.to_mask", "Convert to mask", ()),
    ActionSpec("edit.to_polygons", "Convert mask to polygons", ()),
    ActionSpec("task.next", "Next task", ("D",), "tasks"),
    ActionSpec("task.previous", "Previous task", ("A",), "tasks"),
    ActionSpec("task.next_unfinished", "Next unfinished task", ("Shift+D",), "tasks"),
    ActionSpec("task.previous_unfinished", "Previous unfinished task", ("Shift+A",), "tasks"),
    ActionSpec("video.next_task", "Next task", ("PgDown",), "video", tip="D steps a frame on a video"),
    ActionSpec("video.previous_task", "Previous task", ("PgUp",), "video"),
    ActionSpec("frame.next", "Next frame", ("D",), "video"),
    ActionSpec("frame.previous", "Previous frame", ("A",), "video"),
    ActionSpec("frame.forward", "10 frames forward", ("Shift+D",), "video"),
    ActionSpec("frame.back", "10 frames back", ("Shift+A",), "video"),
    ActionSpec("frame.first", "First frame", ("Home",), "video"),
    ActionSpec("frame.last", "Last frame", ("End",), "video"),
    ActionSpec("frame.goto", "Go to frame…", ("G",), "video", tip="Type a frame number and press Enter"),
    ActionSpec("video.play", "Play / pause", ("Space",), "video", tip="Middle-drag pans the view of a video"),
    ActionSpec("video.faster", "Play faster", ("]",), "video", tip="0.25x to 4x; frames are skipped, never late"),
    ActionSpec("video.slower", "Play slower", ("[",), "video"),
    ActionSpec("keyframe.next", "Next keyframe", ("Alt+Right",), "video", tip="Of the selected track, else of any"),
    ActionSpec("keyframe.previous", "Previous keyframe", ("Alt+Left",), "video"),
    ActionSpec("frame.next_annotated", "Next annotated frame", ("Ctrl+Right",), "video", tip="A keyframe of any "
               "track or a one-frame shape"),
    ActionSpec("frame.previous_annotated", "Previous annotated frame", ("Ctrl+Left",), "video"),
    ActionSpec("keyframe.toggle", "Toggle keyframe", ("K",), "video", tip="Set the selected track's shape here as "
               "a keyframe, or remove the keyframe here"),
    ActionSpec("track.outside", "Outside from this frame", ("Shift+O",), "video", tip="The selected track leaves "
               "the view here, until its next keyframe"),
    ActionSpec("track.occluded", "Occluded from this frame", ("Shift+Q",), "video"),
    ActionSpec("track.split", "Split the track here", ("Alt+M",), "video", tip="The track ends here; a new track "
               "goes on from this frame"),
    ActionSpec("track.merge", "Merge the selected tracks", ("M",), "video", tip="Select two or more tracks of one "
               "label (Ctrl+click); the first keeps its id"),
    ActionSpec("track.propagate", "Propagate the shape…", ("Ctrl+B",), "video", tip="Copy the selected track's "
               "shape here onto the next frames, as keyframes"),
    ActionSpec("track.forward", "Track the object forward", ("Ctrl+T",), "video", tip="From this frame until the "
               "tracker loses it or the video ends; Esc or Cancel stops it; each frame an automatic keyframe"),
    ActionSpec("track.backward", "Track the object backward", ("Ctrl+Shift+T",), "video"),
    ActionSpec("track.one_frame", "Draw one-frame shapes", ("Shift+N",), "video", tip="Off: a drawn shape starts "
               "a track with a keyframe here; on: it exists on this frame only"),
    ActionSpec("task.submit", "Mark done and go to the next unfinished task", ("Ctrl+Return", "Ctrl+Enter"), "global"),
    ActionSpec("view.zoom_in", "Zoom in", ("Ctrl+=", "+"), "global"),
    ActionSpec("view.zoom_out", "Zoom out", ("Ctrl+-", "-"), "global"),
    ActionSpec("view.fit", "Fit to window", ("Ctrl+F",), "global"),
    ActionSpec("view.actual_size", "Actual size (1:1)", ("Ctrl+0",), "global"),
    ActionSpec("workspace.add_media", "Add images…", ("Ctrl+I",), "global"),
    ActionSpec("workspace.open", "Open workspace…", ("Ctrl+O",), "global"),
    ActionSpec("sync.connect", "Connect to a server…", (), "global", tip="Sign in, choose a project and clone it "
               "into a new workspace on this computer"),
    ActionSpec("sync.now", "Sync now", ("Ctrl+Shift+S",), "global", tip="Send the changes waiting and fetch the "
               "server's; a click on the sync state in the status bar does it too"),
    ActionSpec("sync.details", "Sync details…", (), "global", tip="Changes waiting, the last good sync, and what "
               "went wrong in words, with what to do"),
    ActionSpec("sync.sign_out", "Sign out", (), "global", tip="The changes waiting stay here until you sign in "
               "again"),
    ActionSpec("sync.switch_user", "Switch user…", (), "global", tip="Sign out, then sign in as someone else"),
    ActionSpec("help.keys", "Keyboard shortcuts", ("F1",), "global"),
    ActionSpec("view.guidelines", "Show guidelines", ("Ctrl+Alt+G",), "global", tip="The project's guidelines and "
               "the current label's, with do and don't examples; they work offline"),
    ActionSpec("review.schema", "Edit labels and guidelines…", (), "global", tip="Leads: the label schema "
               "(labels, colours, attributes, keypoints, tiers) and the guidelines, saved on the server"),
    ActionSpec("view.review", "Show review", ("Ctrl+Alt+R",), "global", tip="Open the Review dock and focus its "
               "comments and refused edits (arrow keys move, Enter goes to the shape)"),
    ActionSpec("review.queue", "Review queue", ("Ctrl+Alt+Q",), "global", tip="Leads: the submitted work waiting "
               "for a decision, a lot's sample in its drawn order"),
    ActionSpec("review.accept", "Accept and open the next", ("Ctrl+Alt+K",), "global", tip="Leads: edits made "
               "first make it accepted after fixes, a defect of its lot"),
    ActionSpec("review.reject", "Reject…", ("Ctrl+Alt+J",), "global", tip="Leads: with a reason the annotator sees; "
               "then the next task in the queue opens"),
    ActionSpec("review.next", "Next in the review queue", ("Ctrl+Alt+PgDown",), "global"),
    ActionSpec("review.previous", "Previous in the review queue", ("Ctrl+Alt+PgUp",), "global"),
    ActionSpec("review.audit", "Audit trail…", (), "global", tip="Leads: who did what in this project, and when "
               "(the server's audit log, newest first)"),
    ActionSpec("review.quality", "Consensus and gold…", (), "global", tip="Leads: consensus and gold settings, "
               "draw consensus tasks, mark and mix gold, and each annotator's quality"),
    ActionSpec("review.comment", "Comment…", ("Ctrl+Alt+N",), "global", tip="A new thread pinned to the selected "
               "shape, else where the pointer is; on a video also this frame, on a recording the selected range"),
    ActionSpec("view.dashboard", "Dashboard", ("Ctrl+Alt+D",), "global", tip="Leads: the project's figures from the "
               "server (throughput, reviews, corrections, lots, pre-labels), refreshed every 5 seconds while shown"),
    ActionSpec("prelabel.task", "Pre-label this task", ("Ctrl+L",), "edit", tip="Run the model on this task; its "
               "predictions replace this model's pending ones in one undo step"),
    ActionSpec("prelabel.selected", "Pre-label selected tasks", (), "global", tip="The tasks selected in the task "
               "list, in the background"),
    ActionSpec("prelabel.all", "Pre-label all tasks", ("Ctrl+Shift+L",), "global", tip="In the background; tasks "
               "this model has done already are skipped"),
    ActionSpec("prelabel.choose_model", "Choose model…", (), "global"),
    ActionSpec("segment.choose_model", "Choose segmentation model…", (), "global"),
    ActionSpec("prediction.accept", "Accept selected predictions", ("Return", "Enter"), "edit", canvas_only=True),
    ActionSpec("prediction.accept_all", "Accept all predictions on show", ("Shift+Return", "Shift+Enter"), "edit",
               canvas_only=True),
    ActionSpec("prediction.reject", "Reject selected predictions", (), "edit", tip="Delete does it too"),
    # Digits pick labels (Ctrl+digit too, for when a text field has focus); Ctrl+0 stays "actual size". On a
    # recording, a digit after dragging a range makes a segment of that label there.
    *(ActionSpec(f"label.{i}", f"Label {i}", (str(i), f"Ctrl+{i}"), "edit") for i in range(1, 10)),
    ActionSpec("label.10", "Label 10", ("0",), "edit"),
    *SHAPE_ACTIONS,
    *DRAWING_ACTIONS,
    *AUDIO_ACTIONS,
)
ACTION_IDS = frozenset(a.id for a in ACTIONS)

PRESET_NAMES = {"default": "Annodesk", "cvat": "CVAT"}  # as the shortcuts editor offers them
PRESETS: dict[str, dict[str, tuple[str, ...]]] = {
    "default": {},
    # CVAT: F/D next/previous task or frame, V/C ten frames, R/E next/previous keyframe, N repeats the last drawing
    # tool (here: box). The tools whose letters CVAT gives to video keys keep their Shift+ keys in this preset.
    "cvat": {"task.next": ("F",), "task.previous": ("D",), "tool.box": ("N",), "task.submit": ("Ctrl+S",),
             "frame.next": ("F",), "frame.previous": ("D",), "frame.forward": ("V",), "frame.back": ("C",),
             "keyframe.next": ("R",), "keyframe.previous": ("E",), "tool.select": ("Shift+V",),
             "tool.ellipse": ("Shift+C",), "tool.eraser": ("Shift+E",)},
}


KIND_SCOPES = frozenset({"video", "audio"})  # keys of one media kind: their menu items are disabled elsewhere

# The scopes active together in each mode of the window; "global" is active in all of them.
MODES: dict[str, frozenset[str]] = {
    "image": frozenset({"global", "edit", "canvas", "tasks", "image"}),
    "video": frozenset({"global", "edit", "canvas", "video"}),
    "audio": frozenset({"global", "edit", "tasks", "audio"}),
    "none": frozenset({"global"}),
}


def active(scope: str, mode: str) -> bool:
    """Whether keys of `scope` act in `mode` (a scope no mode names, like "review", acts only in its own)."""
    return scope == "global" or scope in MODES.get(mode, frozenset()) or scope == mode


def _overlap(a: str, b: str) -> bool:
    if "drawing" in (a, b):  # a layer above the others: the tool takes the key only when it has a use for it
        return a == b
    return a == b or "global" in (a, b) or any(a in scopes and b in scopes for scopes in MODES.values())


_ALIASES = {"del": "delete", "esc": "escape", "pagedown": "pgdown", "pageup": "pgup", "ins": "insert"}


def key_id(key: str) -> str:
    """One spelling per combination ("shift+ctrl+del" and "Ctrl+Shift+Delete" alike), so keys compare as text; Qt
    writes some keys its own way ("Del", "Esc")."""
    head, _, last = key[:-1].rpartition("+") if key.endswith("+") else key.rpartition("+")
    last = "+" if key.endswith("+") else last.strip().lower()
    mods = {m.strip().lower() for m in head.split("+") if m.strip()}
    return "+".join([m for m in ("ctrl", "alt", "shift", "meta") if m in mods] + [_ALIASES.get(last, last)])


@dataclass(frozen=True, slots=True)
class Binding:
    action: ActionSpec
    keys: tuple[str, ...]
    origin: str  # "default" | "preset <name>" | "user"


class KeymapError(ValueError):
    """A keymap that binds one key to two actions in the same scope, or names an unknown action or preset."""


def effective_keymap(preset: str = "default", user: Mapping[str, Sequence[str]] | None = None) -> dict[str, Binding]:
    """Bindings after applying a preset and the user's overrides; raises KeymapError on conflicts."""
    if preset not in PRESETS:
        raise KeymapError(f"unknown keymap preset {preset!r}; known: {', '.join(PRESETS)}")
    unknown = sorted(set(user or {}) - ACTION_IDS)
    if unknown:
        raise KeymapError(f"keymap: unknown action {unknown[0]!r}")
    result = _bindings(preset, user or {})
    for key, first, second in _clashes(result.values()):
        raise KeymapError(f"key {key} is bound to both {first.action.id!r} and {second.action.id!r}")
    return result


def keymap_or_default(preset: str, user: Mapping[str, Sequence[str]]) -> dict[str, Binding]:
    """The settings' keymap; the defaults (and a warning in the log) when the settings are broken or conflict."""
    try:
        return effective_keymap(preset, user)
    except KeymapError as exc:
        log.warning("keymap settings ignored: %s", exc)
        return effective_keymap()


def tool_keys(keymap: Mapping[str, Binding]) -> dict[str, str]:
    """Key -> drawing action, for the canvas to offer to the active tool before the window's shortcuts."""
    return {key: b.action.id for b in keymap.values() if b.action.scope == "drawing" for key in b.keys}


def _bindings(preset: str, user: Mapping[str, Sequence[str]]) -> dict[str, Binding]:
    result: dict[str, Binding] = {}
    for action in ACTIONS:
        keys, origin = action.keys, "default"
        if action.id in PRESETS[preset]:
            keys, origin = PRESETS[preset][action.id], f"preset {preset}"
        if action.id in user:
            keys, origin = tuple(user[action.id]), "user"
        result[action.id] = Binding(action, keys, origin)
    return result


def _clashes(bindings: Iterable[Binding]) -> Iterator[tuple[str, Binding, Binding]]:
    """(key, earlier, later) for each key two actions hold in scopes that are active together (`MODES`)."""
    seen: dict[str, list[Binding]] = {}
    for b in bindings:
        for kid, key in {key_id(k): k for k in b.keys}.items():
            for other in seen.get(kid, []):
                if _overlap(other.action.scope, b.action.scope):
                    yield key, other, b
            seen.setdefault(kid, []).append(b)


class KeymapDraft:
    """The shortcuts editor's working copy: a preset and the user's keys, checked for conflicts as they change.

    Nothing is saved until the editor's OK; `user` then goes to the settings' `keymap`, `preset` to `keymap_preset`.
    """

    def __init__(self, preset: str = "default", user: Mapping[str, Sequence[str]] | None = None) -> None:
        self.preset = preset if preset in PRESETS else "default"
        self.user = {a: tuple(keys) for a, keys in (user or {}).items() if a in ACTION_IDS}

    def bindings(self) -> dict[str, Binding]:
        return _bindings(self.preset, self.user)

    def conflicts(self) -> dict[str, str]:
        """Action id -> the clash in words, for both actions of every clash."""
        found: dict[str, str] = {}
        for key, first, second in _clashes(self.bindings().values()):
            for one, other in ((first, second), (second, first)):
                found.setdefault(one.action.id, f"{key} is also “{other.action.text}” ({other.action.scope})")
        return found

    def set_keys(self, action_id: str, keys: Sequence[str]) -> None:
        """Bind `keys` (empty strings dropped); keys equal to the preset's or the default are no override."""
        wanted = tuple({key_id(k): k for k in keys if k}.values())
        self.user[action_id] = wanted
        if [key_id(k) for k in _bindings(self.preset, {})[action_id].keys] == [key_id(k) for k in wanted]:
            del self.user[action_id]

    def reset(self, action_id: str) -> None:
        self.user.pop(action_id, None)

    def reset_all(self) -> None:
        self.user.clear()

    def set_preset(self, name: str) -> None:
        """Switch presets, keeping the user's own keys on top (Reset all drops them)."""
        if name not in PRESETS:
            raise KeymapError(f"unknown keymap preset {name!r}; known: {', '.join(PRESETS)}")
        self.preset = name

    def overrides(self) -> dict[str, list[str]]:
        """The user's keys as the settings file stores them."""
        return {a: list(keys) for a, keys in self.user.items()}
