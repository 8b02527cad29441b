"""``python -m benchmarks.validity [--corpus PATH] [--write docs/validity.md]``.

Audits the real-world corpus's api.gouv.fr catalog and APIs.guru subset
offline, and prints (or writes) the validity report. Exit 2, with a message,
when the corpus is not there.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.validity.corpus import CorpusMissing, default_corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.validity",
        description="Measure how far auditor's trust scores deserve a reviewer's agreement, "
        "on the real-world corpus, offline.",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="the real-world corpus (default: $AUDITOR_CORPUS, else ../shared/corpus "
        "relative to the project root)",
    )
    parser.add_argument(
        "--write", type=Path, metavar="FILE", help="write the Markdown report to FILE"
    )
    parser.add_argument(
        "--no-lists",
        action="store_true",
        help="skip the runs with the corpus's public-sector lists loaded",
    )
    args = parser.parse_args(argv)
    from benchmarks.validity.build import build
    from benchmarks.validity.document import document

    try:
        report = build(args.corpus or default_corpus(), with_lists=not args.no_lists)
    except CorpusMissing as exc:
        print(f"validity: {exc}", file=sys.stderr)
        return 2
    text = document(report)
    if args.write is None:
        sys.stdout.write(text)
    else:
        args.write.write_text(text, encoding="utf-8")
        print(f"validity: wrote {args.write} ({report.seconds:g} s of audits)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
