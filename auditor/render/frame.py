"""The catalog as a pandas table: summary.csv/Parquet and the aggregates charts draw.

One row per result; unknown scores are NaN, so pandas leaves them out of
means and counts them apart instead of averaging them in as zeros.
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from auditor.methodology.model import Methodology
from auditor.render.csv_table import csv_bytes
from auditor.render.findings import mapping, number, text
from auditor.render.folder import OutputFolder
from auditor.render.language import N_
from auditor.render.text import clean_text

TEXT_COLUMNS = ("id", "title", "organization", "tier", "spec_format")
NO_ORGANISATION = N_("(no organisation)")


@dataclass(frozen=True, slots=True)
class Bin:
    label: str
    count: int
    low: float | None  # None: the "unknown" bin


@dataclass(frozen=True, slots=True)
class AxisMean:
    id: str
    name: str
    mean: float | None
    unknown: int


@dataclass(frozen=True, slots=True)
class OrganisationRow:
    organization: str
    entries: int
    scored: int
    mean: float | None
    best: float | None
    worst: float | None


def summary_frame(
    results: list[Mapping[str, Any]], methodology: Methodology, names: Mapping[int, str]
) -> pd.DataFrame:
    """``names`` maps a result's position to its file stem."""
    rows = []
    for position, result in enumerate(results):
        axes = mapping(result.get("axes"))
        spec = mapping(result.get("spec"))
        row: dict[str, Any] = {
            "id": str(result.get("id") or ""),
            "title": str(result.get("title") or ""),
            "organization": text(result.get("organization")),
            "score": number(result.get("score")),
            "tier": text(result.get("tier")),
        }
        for axis in methodology.axes:
            data = mapping(axes.get(axis.id))
            row[axis.id] = number(data.get("score"))
        row["spec_format"] = text(spec.get("format"))
        valid = spec.get("valid")
        row["spec_valid"] = valid if isinstance(valid, bool) else None
        row["page"] = f"entries/{names[position]}.html"
        row["badge"] = f"badges/{names[position]}.svg"
        rows.append(row)
    columns = ["id", "title", "organization", "score", "tier"]
    columns += [a.id for a in methodology.axes] + ["spec_format", "spec_valid", "page", "badge"]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ["score", *(a.id for a in methodology.axes)]:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    frame["spec_valid"] = frame["spec_valid"].astype("boolean")
    return frame


def write_tables(frame: pd.DataFrame, folder: OutputFolder) -> list[Path]:
    """summary.csv always; summary.parquet when pyarrow is installed.

    Text loses bidi overrides and control characters in both; the CSV (from
    the one CSV writer, :mod:`auditor.render.csv_table`) also quotes cells
    that a spreadsheet would run as formulas. results.json keeps the raw text.
    """
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    written = [folder.write("summary.csv", csv_bytes(list(frame.columns), rows))]
    if importlib.util.find_spec("pyarrow") is not None:
        cleaned = frame.copy()
        for column in TEXT_COLUMNS:
            cleaned[column] = cleaned[column].map(
                lambda v: clean_text(v) if isinstance(v, str) else v
            )
        buffer = io.BytesIO()
        cleaned.to_parquet(buffer, index=False)
        written.append(folder.write("summary.parquet", buffer.getvalue()))
    return written


def distribution(frame: pd.DataFrame) -> list[Bin]:
    """Scores in ten 10-point bins (100 falls in the top one), plus the unknowns."""
    scores = frame["score"].dropna()
    counts = (scores // 10).clip(lower=0, upper=9).astype(int).value_counts()
    bins = [
        Bin(f"{10 * i}–{10 * i + 9 if i < 9 else 100}", int(counts.get(i, 0)), 10.0 * i)
        for i in range(10)
    ]
    bins.append(Bin("unknown", int(frame["score"].isna().sum()), None))
    return bins


def axis_means(frame: pd.DataFrame, methodology: Methodology) -> list[AxisMean]:
    means = frame[[a.id for a in methodology.axes]].mean(skipna=True)
    unknown = frame[[a.id for a in methodology.axes]].isna().sum()
    return [
        AxisMean(
            a.id,
            a.name,
            None if pd.isna(means[a.id]) else round(float(means[a.id]), 2),
            int(unknown[a.id]),
        )
        for a in methodology.axes
    ]


def organisations(frame: pd.DataFrame) -> list[OrganisationRow]:
    """Per organisation: entries, how many scored, mean/best/worst; best mean first."""
    if frame.empty:
        return []
    grouped = (
        frame.assign(organization=frame["organization"].fillna(NO_ORGANISATION))
        .groupby("organization", sort=True)
        .agg(
            entries=("id", "size"),
            scored=("score", "count"),
            mean=("score", "mean"),
            best=("score", "max"),
            worst=("score", "min"),
        )
        .reset_index()
        .sort_values(["mean", "organization"], ascending=[False, True], na_position="last")
    )

    def value(x: Any) -> float | None:
        return None if pd.isna(x) else round(float(x), 2)

    return [
        OrganisationRow(
            str(row.organization),
            int(row.entries),
            int(row.scored),
            value(row.mean),
            value(row.best),
            value(row.worst),
        )
        for row in grouped.itertuples(index=False)
    ]
