"""The jinja2 environment over ``reports/``: autoescaped for HTML and SVG, plain for Markdown."""

from __future__ import annotations

import jinja2

from auditor.resources import reports_dir


def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(reports_dir())),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "svg", "xml", "html.j2", "svg.j2"),
            default_for_string=True,
        ),
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
