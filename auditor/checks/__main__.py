"""``python -m auditor.checks``: print the check table, or refresh the generated blocks in files.

python -m auditor.checks --markdown                    # the table, on standard output
python -m auditor.checks --write README.md docs/checks.md
python -m auditor.checks --check README.md docs/checks.md   # exit 1 when out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

from auditor.checks.markdown import blocks, table, update

USAGE = "usage: python -m auditor.checks (--markdown | --write FILE... | --check FILE...)"


def main(argv: list[str]) -> int:
    if argv == ["--markdown"]:
        sys.stdout.write(table())
        return 0
    if len(argv) < 2 or argv[0] not in ("--write", "--check"):
        print(USAGE, file=sys.stderr)
        return 2
    stale = []
    for name in argv[1:]:
        path = Path(name)
        text = path.read_text(encoding="utf-8")
        if not blocks(text):
            print(f"{path}: no <!-- checks:... --> block to generate", file=sys.stderr)
            return 2
        fresh = update(text)
        if fresh != text:
            stale.append(path)
            if argv[0] == "--write":
                path.write_text(fresh, encoding="utf-8")
    for path in stale:
        verb = "updated" if argv[0] == "--write" else "out of date with auditor/checks"
        print(f"{path}: {verb}", file=sys.stderr)
    return 1 if stale and argv[0] == "--check" else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
