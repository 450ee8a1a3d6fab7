"""Automated redaction against the baseline force, end to end with the Python API.

Loads the packaged baseline, builds the same force with the automated-redaction overlay merged in,
runs both on the same seeds (common random numbers), and prints and plots the paired differences:
officer hours on redaction, burglaries and domestic-abuse incidents attended, and response times.

    python examples/redaction_vs_baseline.py --days 91 --replications 5 --out redaction.png
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sim.config.loading import DEFAULT_CONFIG, load_raw, merge, scenario_from_dict  # noqa: E402
from sim.study.paired import paired_difference  # noqa: E402
from sim.study.replications import run_replications  # noqa: E402

OVERLAY = Path(__file__).resolve().parent.parent / "configs" / "interventions" / "automated_redaction.yaml"
METRICS = {
    "officer_hours.video_redaction": "video redaction (officer h)",
    "officer_hours.text_redaction": "text redaction (officer h)",
    "officer_hours.available": "officers available (officer h)",
    "incidents.burglary.attended": "burglaries attended",
    "incidents.domestic_abuse.attended": "DA incidents attended",
    "response_minutes.burglary.mean": "burglary mean response (min)",
    "response_minutes.domestic_abuse.mean": "DA mean response (min)",
}


def main() -> None:
    """Run both scenarios, print the paired table, save the plot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=91.0, help="horizon in days")
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("redaction_vs_baseline.png"))
    args = parser.parse_args()

    raw = load_raw(DEFAULT_CONFIG)
    raw.update(horizon_days=args.days, warmup_days=min(14.0, args.days / 4))
    baseline = scenario_from_dict(raw, source="baseline")
    redaction = scenario_from_dict(merge(raw, load_raw(OVERLAY)), source="redaction")

    runs = {
        name: run_replications(scenario, args.replications, args.seed, workers=args.workers)
        for name, scenario in (("baseline", baseline), ("redaction", redaction))
    }
    print(
        f"automated redaction minus baseline, {args.replications} paired replications of "
        f"{args.days:g} days ({baseline.warmup_days:g} warm-up), seed {args.seed}"
    )
    print(f"{'metric':34} {'baseline':>10} {'difference (95% CI)':>32} {'CRN gain':>9}")
    rows = []
    for key, label in METRICS.items():
        base = [r.metrics[key] for r in runs["baseline"]]
        other = [r.metrics[key] for r in runs["redaction"]]
        diff = paired_difference(base, other)
        rows.append((label, diff))
        gain = diff.variance_reduction
        print(
            f"{label:34} {sum(base) / len(base):10.1f} "
            f"{diff.mean:10.1f} ({diff.ci_low:8.1f} to {diff.ci_high:8.1f}) {gain:8.1f}x"
        )

    fig, ax = plt.subplots(figsize=(8, 4))
    labels = [label for label, _ in rows]
    means = [d.mean for _, d in rows]
    errors = [[d.mean - d.ci_low for _, d in rows], [d.ci_high - d.mean for _, d in rows]]
    ax.barh(labels, means, xerr=errors, color=["C0" if m <= 0 else "C2" for m in means], capsize=3)
    ax.axvline(0, color="0.3", lw=0.8)
    ax.invert_yaxis()
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlabel("redaction minus baseline, over the measured window (95% CI)")
    ax.set_title("Automated redaction against the baseline force (paired, common random numbers)", fontsize=10)
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"plot written to {args.out}")


if __name__ == "__main__":
    main()
