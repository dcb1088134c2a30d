"""How long a journey takes a person, not a test robot: the Keystroke-Level Model (Card, Moran
and Newell, “The Psychology of Human-Computer Interaction”, 1983), counted while the browser
test does what the person would do, plus the system's own time as the test measured it.

The operators and their standard times: K a keystroke (0.28 s, an average typist), P pointing
the mouse at something (1.1 s), B a mouse button press (0.1 s), H moving a hand between mouse
and keyboard (0.4 s), M a moment to think what to do next (1.35 s). The test adds R, the time
it waited for pages, measured (an upper bound: it includes Playwright's own work).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

K, P, B, H, M = 0.28, 1.1, 0.1, 0.4, 1.35


@dataclass
class Effort:
    keys: int = 0
    points: int = 0
    presses: int = 0
    homings: int = 0
    thoughts: int = 0
    started: float = field(default_factory=time.monotonic)
    hand_on_keyboard: bool = False

    def think(self, times: int = 1) -> None:
        self.thoughts += times

    def click(self, times: int = 1) -> None:
        """Point at something and press (a link, a button, a field, a menu's option)."""
        if self.hand_on_keyboard:
            self.homings += 1
            self.hand_on_keyboard = False
        self.points += times
        self.presses += times

    def type(self, text: str) -> None:
        """Type ``text`` (a Tab or Enter is one key: pass it as one character)."""
        if not self.hand_on_keyboard:
            self.homings += 1
            self.hand_on_keyboard = True
        self.keys += len(text)

    def paste(self) -> None:
        """Copy a table in a spreadsheet and paste it (select all, copy, paste: 6 keys)."""
        self.type("x" * 6)

    @property
    def human_seconds(self) -> float:
        return (
            self.keys * K
            + self.points * P
            + self.presses * B
            + self.homings * H
            + self.thoughts * M
        )

    @property
    def total_seconds(self) -> float:
        return self.human_seconds + time.monotonic() - self.started

    def report(self, journey: str) -> str:
        machine = time.monotonic() - self.started
        total = self.human_seconds + machine
        return (
            f"{journey}: {total / 60:.1f} min for a person (KLM: {self.keys} keys, "
            f"{self.points} pointings and presses, {self.homings} hand moves, {self.thoughts} "
            f"decisions = {self.human_seconds:.0f} s; the system and the test: {machine:.0f} s)"
        )
