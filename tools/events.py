"""Plain input events the canvas translates Qt events into, so tools run and are tested without Qt."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Button(IntEnum):
    LEFT = 1
    RIGHT = 2
    MIDDLE = 4


@dataclass(frozen=True, slots=True)
class Pointer:
    """A pointer event at x, y in IMAGE pixel coordinates (the canvas maps from the view)."""

    x: float
    y: float
    button: Button = Button.LEFT
    shift: bool = False
    ctrl: bool = False
    alt: bool = False

    @property
    def point(self) -> tuple[float, float]:
        return (self.x, self.y)


@dataclass(frozen=True, slots=True)
class Key:
    """A key press: "Escape", "Enter", "Delete", "Backspace", "Left", "Right", "Up", "Down", "Tab", "[", "]" or a
    letter. "[" and "]" keep their names with Shift held (the canvas maps "{" and "}" back to them)."""

    key: str
    shift: bool = False
    ctrl: bool = False
    alt: bool = False

    @property
    def name(self) -> str:
        """The key with single letters lowercased, so "Z" with shift and "z" with shift are the same key."""
        return self.key.lower() if len(self.key) == 1 else self.key
