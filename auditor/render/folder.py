"""Writing files into an output folder without ever following a link out of it.

``auditor report`` and ``auditor badge`` write into a folder that may hold
what an earlier run, or someone else, left there. A symbolic link planted as
``index.html -> ../elsewhere`` must not make the report overwrite
``elsewhere``. So each file is written to a new temporary file in its folder
(created exclusively, never through a link) and renamed over the name:
``os.replace`` replaces a link itself, never its target. A subfolder that is a
link (``entries -> /etc``) is refused with a message naming it. The output
folder itself is the user's choice and may be a link.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from auditor.errors import AuditorError


class UnsafeOutput(AuditorError):
    """A path in the output folder that would lead the write outside it."""


class OutputFolder:
    """The output folder: :meth:`write` puts a file in it or in a subfolder of it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self._checked: set[Path] = {root}

    def subfolder(self, relative: str) -> Path:
        """``root/relative``, created if missing; refused if it (or a folder on the way) is a link."""
        return self._folder(self._inside(relative))

    def _inside(self, relative: str) -> Path:
        parts = Path(relative).parts
        if not parts or Path(relative).is_absolute() or ".." in parts:
            raise UnsafeOutput(f"{relative!r}: not a path inside {self.root}")
        return self.root.joinpath(*parts)

    def _folder(self, folder: Path) -> Path:
        if folder in self._checked:
            return folder
        parent = self._folder(folder.parent)
        path = parent / folder.name
        if path.is_symlink():
            raise UnsafeOutput(
                f"{path}: is a symbolic link; auditor writes only inside {self.root} and "
                "does not follow links out of it (remove the link, or choose another folder)"
            )
        path.mkdir(exist_ok=True)
        self._checked.add(folder)
        return path

    def write(self, relative: str, content: str | bytes) -> Path:
        """Write ``content`` (text as UTF-8, LF line ends) to ``root/relative``; its path."""
        target = self._inside(relative)
        folder = self._folder(target.parent)
        data = content.encode("utf-8") if isinstance(content, str) else content
        temporary = folder / f".{target.name}.{secrets.token_hex(6)}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        descriptor = os.open(temporary, flags, 0o666)
        try:
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(data)
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return target
