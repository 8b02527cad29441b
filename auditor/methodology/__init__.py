"""The methodology as data: loading, scoring and describing it."""

from auditor.methodology.load import load_methodology
from auditor.methodology.model import Axis, Methodology, Signal, Tier

__all__ = ["Axis", "Methodology", "Signal", "Tier", "load_methodology"]
