"""The one definition of what demand draws per call: CallBlock's columns, CALL_FIELDS and Incident agree."""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from sim.model.incident import CALL_FIELDS, CallBlock, Incident


def test_an_incident_takes_every_drawn_attribute_from_its_row_by_name() -> None:
    incident = Incident(7, True, CALL_FIELDS)  # each value is its own field's name
    assert [getattr(incident, name) for name in CALL_FIELDS] == list(CALL_FIELDS)
    assert (incident.number, incident.counted, incident.place, incident.arrived) == (7, True, -1, -1.0)


def test_call_fields_are_the_call_block_columns() -> None:
    assert tuple(f.name for f in fields(CallBlock)) == CALL_FIELDS


def test_select_and_concatenate_keep_rows_whole_and_sorted() -> None:
    def block(times: list[float], kind: int) -> CallBlock:
        n = len(times)
        columns = {name: np.full(n, kind, dtype=float) for name in CALL_FIELDS}
        columns["time"] = np.array(times)
        columns["followup"] = np.full((n, 2), kind, dtype=float)
        return CallBlock(**columns)

    merged = CallBlock.concatenate([block([1.0, 5.0], 1), block([3.0], 2)])
    assert merged.time.tolist() == [1.0, 3.0, 5.0]
    assert merged.kind.tolist() == [1, 2, 1]
    assert merged.followup[:, 0].tolist() == [1, 2, 1]
    late = merged.select(merged.time > 2.0)
    assert len(late) == 2 and late.kind.tolist() == [2, 1]
