"""Fingerprint of model results: every metric of three scenarios x two seeds, to the last bit.

Run before and after a change that must keep results identical by seed:
    python benchmarks/fingerprint.py > before.json      (on the commit before the change)
    python benchmarks/fingerprint.py --against before.json
The second prints every metric whose value changed, and the metrics added, and exits 1 on a change.
Scenarios: configs/baseline.yaml (60 days), the baseline with every intervention on, a replay of a
log drawn from the baseline's own records, and the packaged default (configs/default.yaml: the
baseline with sinks, decisions and duties on, 30 days), each at seeds 1 and 2.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

from sim.config import load_scenario
from sim.config.loading import CONFIG_DIR
from sim.model import simulate

BASELINE = CONFIG_DIR / "baseline.yaml"
DAYS = ["horizon_days=60", "warmup_days=7"]
INTERVENTIONS = [
    "interventions.automated_redaction.enabled=true",
    "interventions.admin_reduction.enabled=true",
    "interventions.video_interviews.enabled=true",
    "interventions.drone_first_response.enabled=true",
    "interventions.ai_101_triage.enabled=true",
]


def digest(result) -> dict:
    out = {"metrics": {k: repr(v) for k, v in sorted(result.metrics.items())}, "events": result.events}
    if result.records is not None:
        out["records"] = hashlib.sha256(result.records.to_csv(index=False).encode()).hexdigest()
    return out


def replay_log(folder: Path) -> Path:
    base = simulate(load_scenario(BASELINE, DAYS), 99, records=True).records
    rows = base[base["grade"] != "P4"].head(3000)
    path = folder / "log.csv"
    lines = ["time,grade,type"] + [
        f"{t / 60.0!r},{g},{k}" for t, g, k in zip(rows["call_minute"], rows["grade"], rows["type"], strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def differences(before: dict, after: dict) -> tuple[list[str], list[str]]:
    """(what changed, what was added) between two fingerprints, as ``run: metric`` lines."""
    changed, added = [], []
    for run in sorted(set(before) | set(after)):
        old, new = before.get(run, {}), after.get(run, {})
        for key in ("events", "records"):
            if old.get(key) != new.get(key):
                changed.append(f"{run}: {key}")
        old_metrics, new_metrics = old.get("metrics", {}), new.get("metrics", {})
        changed += [
            f"{run}: {m} {old_metrics[m]} -> {new_metrics.get(m)}"
            for m in old_metrics
            if old_metrics[m] != new_metrics.get(m)
        ]
        added += [f"{run}: {m}" for m in new_metrics if m not in old_metrics]
    return changed, added


def fingerprint() -> dict:
    report = {}
    with tempfile.TemporaryDirectory() as tmp:
        log = replay_log(Path(tmp))
        scenarios = {
            "baseline": DAYS,
            "interventions": DAYS + INTERVENTIONS,
            "replay": ["horizon_days=30", "warmup_days=0", f"replay.path={log}", "replay.default_type=burglary"],
        }
        for name, overrides in scenarios.items():
            scenario = load_scenario(BASELINE, overrides)
            for seed in (1, 2):
                report[f"{name}/{seed}"] = digest(simulate(scenario, seed, records=True))
        default = load_scenario(None, ["horizon_days=30", "warmup_days=7"])
        for seed in (1, 2):
            report[f"default/{seed}"] = digest(simulate(default, seed, records=True))
    return report


def main() -> int:
    report = fingerprint()
    if len(sys.argv) == 3 and sys.argv[1] == "--against":
        changed, added = differences(json.loads(Path(sys.argv[2]).read_text()), report)
        print(f"{len(changed)} changed, {len(added)} added")
        print("\n".join(changed[:200]))
        return 1 if changed else 0
    json.dump(report, sys.stdout, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
