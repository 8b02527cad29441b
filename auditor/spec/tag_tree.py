"""The OpenAPI 3.2 tag tree (``parent``): its cycles, named as openapi-spec-validator names them.

Split from ``semantic.py`` (which runs it) to keep the walk linear: the
reference walks up from every tag to the root, O(n²) for a chain of n tags
(and its trail is a list, O(n³)); here each tag is walked once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator


def tag_cycles(
    parents: dict[str, str | None], seen: set[str], tick: Callable[[], None]
) -> Iterator[str]:
    """``A -> B -> A`` for each cycle of the 3.2 tag tree, as the reference words them.

    The reference walks up from each tag and reports the cycle its walk runs into, written
    from where it entered (so each start on a cycle names its own rotation). Here each tag
    is walked once: a walk stops at a tag already placed (at a root, or entering a cycle).
    """
    entry: dict[str, str | None] = {}  # tag -> the first tag of a cycle its walk meets
    texts: dict[str, str] = {}
    reported: set[str] = set()
    for start in parents:
        trail: dict[str, int] = {}
        current: str | None = start
        while current is not None and current not in entry and current not in trail:
            tick()
            trail[current] = len(trail)
            parent = parents.get(current)
            current = parent if parent in seen else None
        if current is None:
            met: str | None = None
        elif current in trail:  # a new cycle: each of its tags enters it at itself
            met = current
            for name in list(trail)[trail[current] :]:
                entry[name] = name
        else:
            met = entry[current]
        for name in trail:
            entry.setdefault(name, met)
        if met is None:
            continue
        if met not in texts:
            links = [met]
            parent = parents.get(met)
            while parent is not None and parent != met:
                tick()
                links.append(parent)
                parent = parents.get(parent)
            texts[met] = " -> ".join([*links, met])
        if texts[met] not in reported:
            reported.add(texts[met])
            yield texts[met]
