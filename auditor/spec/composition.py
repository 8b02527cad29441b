"""Property names a schema reaches through ``allOf``/``anyOf``/``oneOf``/``items``/``not``.

openapi-spec-validator 0.9 collects them for every ``allOf`` member it meets
(``required`` names must be defined there), walking the member's whole
composition each time: a chain of n schemas, each ``allOf`` the next, costs
O(n²) (4,000 links: 50 s). This walk visits the same nodes in the same order,
with the same errors (the first ``$ref`` that fails ends it) and the same
cycle notes, but remembers what a finished, cycle-free sub-walk found: that
answer does not depend on where the walk came from, so a chain costs O(n).
Sub-walks that met a cycle, or found more than ``MAX_REMEMBERED`` names, are
walked again (the analysis deadline bounds what is left).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAX_REMEMBERED = 256
"""Names remembered per schema: a chain naming a new property per link must not take
O(n²) memory; longer answers are recomputed."""
CYCLE_NOTE = (
    "recursive schema composition (openapi-spec-validator 0.9 fails with RecursionError "
    "here, upstream #400)"
)


@dataclass(eq=False)
class _Frame:
    key: int
    names: set[Any]
    children: list[Any]
    """Still to enter, last one first (the order of the reference's stack)."""
    complete: bool = True
    """No cycle met and no child skipped without its names: ``names`` is the whole answer."""


@dataclass(eq=False)
class PropertyReach:
    """One document's walks; ``deref``/``keys``/``children`` are the semantic checker's."""

    deref: Callable[[Any], Any]
    keys: Callable[[Any, str], list[Any]]
    children: Callable[[Any, str], list[Any]]
    note: Callable[[str], None]
    tick: Callable[[], None]
    known: dict[int, frozenset[Any]] = field(default_factory=dict)

    def collect(self, node: Any, where: str) -> set[Any]:
        """Every property name reachable from ``node`` (cycle-safe, cycles noted)."""
        found: set[Any] = set()
        on_path: set[int] = set()
        done: set[int] = set()
        frames: list[_Frame] = []
        self._enter(node, where, found, on_path, done, frames)
        while frames:
            self.tick()
            frame = frames[-1]
            if frame.children:
                self._enter(frame.children.pop(), where, found, on_path, done, frames)
                continue
            frames.pop()
            on_path.discard(frame.key)
            done.add(frame.key)
            if frame.complete and len(frame.names) <= MAX_REMEMBERED:
                self.known[frame.key] = frozenset(frame.names)
            if frames:
                frames[-1].names |= frame.names
                frames[-1].complete &= frame.complete
        return found

    def _enter(
        self,
        raw: Any,
        where: str,
        found: set[Any],
        on_path: set[int],
        done: set[int],
        frames: list[_Frame],
    ) -> None:
        value = self.deref(raw)
        key = id(value)
        if key in on_path:
            self.note(f"{where}: {CYCLE_NOTE}")
            for frame in frames:
                frame.complete = False
            return
        if not isinstance(value, dict):
            return
        known = self.known.get(key)
        if known is not None:
            found |= known
            if frames:
                frames[-1].names |= known
            done.add(key)
            return
        if key in done:  # its names are in ``found`` but not in this frame's answer
            if frames:
                frames[-1].complete = False
            return
        on_path.add(key)
        names: set[Any] = set()
        if "properties" in value:
            names.update(self.keys(self.deref(value["properties"]), where))
            found |= names
        pending: list[Any] = []
        for keyword in ("allOf", "anyOf", "oneOf"):
            if keyword in value:
                pending.extend(self.children(self.deref(value[keyword]), where))
        for keyword in ("items", "not"):
            if keyword in value:
                pending.append(value[keyword])
        frames.append(_Frame(key, names, pending))
