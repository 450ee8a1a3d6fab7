"""What every scenario schema module shares: the strict base model, shares and the people bound."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Share = Annotated[float, Field(ge=0.0, le=1.0)]
# Far past any real force (England and Wales has about 148,000 officers): a larger value is a
# typo, and would exhaust memory.
MAX_PEOPLE = 200_000

TaskMap = TypeVar("TaskMap", bound=Mapping[str, object])


def known_tasks(tasks: TaskMap, allowed: tuple[str, ...]) -> TaskMap:
    """``tasks`` if it names only ``allowed`` tasks; otherwise the error a validator raises."""
    unknown = set(tasks) - set(allowed)
    if unknown:
        raise ValueError(f"unknown task {sorted(unknown)}; expected one of {list(allowed)}")
    return tasks


class Strict(BaseModel):
    """Base of every config section: unknown keys, infinity and NaN are errors; values immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)
