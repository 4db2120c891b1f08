"""Whole-image tags (classification): toggling a label's Tag annotation, single- or multi-label as the label's
`tag_mode` says. A mixin of `Editor`: its methods take the editor as a `ToolHost`."""

from __future__ import annotations

from core.annotation import HUMAN, Annotation, new_id
from core.document import AddAnnotations, Batch, Command, DeleteAnnotations
from core.shapes import Tag
from tools.base import ToolHost


class TagCommands:
    def tags(self: ToolHost) -> list[str]:
        """Labels tagged on this task, in the order they were set."""
        return [a.label for a in self.doc if a.kind == Tag.kind]

    def toggle_tag(self: ToolHost, name: str) -> bool:
        """Tag the whole image with `name`, or untag it when set (one undo step); False when the label forbids tags.

        Setting a "single" tag removes the other "single" tags: those labels form one single-choice classification.
        """
        label = self.schema.get(name)
        if label is None:
            raise ValueError(f"unknown label {name!r}; known: {', '.join(self.schema.names())}")
        if not label.allows(Tag.kind):
            return False
        tags = [a for a in self.doc if a.kind == Tag.kind]
        mine = tuple(a.id for a in tags if a.label == name)
        if mine:
            self.execute(DeleteAnnotations(mine, f"Untag {name}"))
            return True
        commands: list[Command] = []
        if label.tag_mode == "single":
            exclusive = {lb.name for lb in self.schema.labels if lb.tag_mode == "single"}
            others = tuple(a.id for a in tags if a.label in exclusive)
            if others:
                commands.append(DeleteAnnotations(others, f"Tag {name}"))
        tag = Annotation(new_id(), self.doc.task_id, name, Tag(), label.initial_attributes(), self.author, HUMAN)
        commands.append(AddAnnotations((tag,), f"Tag {name}"))
        self.execute(Batch(tuple(commands), f"Tag {name}"))
        return True

    def use_label(self: ToolHost, name: str) -> bool:
        """What a label's hotkey does: toggles the tag of a tag-only label, else picks the label (and relabels the
        selection, as `set_label`). Returns False when nothing could be done."""
        label = self.schema.get(name)
        if label is not None and label.shape_types == (Tag.kind,):
            return TagCommands.toggle_tag(self, name)
        return self.set_label(name)
