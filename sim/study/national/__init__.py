"""The national model: 43 force scenarios built from the baseline and the forces table, run in
parallel processes, and aggregated to England and Wales (counts summed, shares hour-weighted).

A national config is a YAML file with a top-level ``national:`` section (see
``configs/national.yaml``). ``spec`` reads it and the forces table, ``scaling`` builds each
force's scenario, ``running`` runs them and ``aggregate`` makes the E&W figures and the document.
"""

from sim.study.national.aggregate import (
    COUNT_PATTERNS,
    aggregate,
    is_count,
    national_document,
    national_table,
    officer_hours,
    yearly,
)
from sim.study.national.running import NationalResult, run_national
from sim.study.national.scaling import force_raw, force_scenarios
from sim.study.national.spec import (
    NATIONAL_KEY,
    Force,
    NationalConfig,
    NationalSpec,
    is_national,
    load_forces,
    load_national,
    with_horizon,
)

__all__ = [
    "COUNT_PATTERNS",
    "NATIONAL_KEY",
    "Force",
    "NationalConfig",
    "NationalResult",
    "NationalSpec",
    "aggregate",
    "force_raw",
    "force_scenarios",
    "is_count",
    "is_national",
    "load_forces",
    "load_national",
    "national_document",
    "national_table",
    "officer_hours",
    "run_national",
    "with_horizon",
    "yearly",
]
