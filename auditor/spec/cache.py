"""Spec analyses kept by content: an unchanged document is never validated twice.

The key is the document's sha256 plus an engine key: the validator id (the
versions of auditor and of every library that decides verdicts) and the
parse limits. Upgrading any of them, or changing a limit, misses the cache
instead of serving a verdict the new engine might not give.

On disk, each analysis is one JSON file (``<engine key>/<sha[:2]>/<sha>.json``)
written atomically; JSON rather than pickle, so a cache directory someone
else can write to cannot run code in auditor. A file that does not parse or
does not match its key is ignored (and re-analysed).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import orjson

from auditor.context import Limits
from auditor.spec.analyse import SpecReport
from auditor.spec.validate import validator_id

DEFAULT_DIR = "~/.cache/auditor/specs"


def engine_key(limits: Limits) -> str:
    """What, besides the content, a cached analysis depends on."""
    text = f"{validator_id()}|nodes={limits.max_yaml_nodes}|depth={limits.max_json_depth}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class DiskCache:
    """Analyses in a directory, one JSON file per (engine key, sha256)."""

    def __init__(self, directory: str | os.PathLike[str], limits: Limits) -> None:
        self.root = Path(directory).expanduser() / engine_key(limits)

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.json"

    def get(self, sha256: str) -> SpecReport | None:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            return None
        try:
            data = orjson.loads(self._path(sha256).read_bytes())
            report = SpecReport.from_dict(data)
        except (OSError, orjson.JSONDecodeError, TypeError, KeyError, ValueError, AttributeError):
            return None
        if report.sha256 != sha256 or report.validator != validator_id():
            return None
        return report

    def put(self, report: SpecReport) -> bool:
        """Store ``report``; False (and nothing written) when the directory is unusable."""
        path = self._path(report.sha256)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            blob = orjson.dumps(report.to_dict(), default=str)
            handle, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(blob)
                os.replace(temp, path)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except (OSError, TypeError):
            return False
        return True
