"""What every scenario schema module shares: the strict base model, shares and the people bound."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Share = Annotated[float, Field(ge=0.0, le=1.0)]
# Far past any real force (England and Wales has about 148,000 officers): a larger value is a
# typo, and would exhaust memory.
MAX_PEOPLE = 200_000


class Strict(BaseModel):
    """Base of every config section: unknown keys, infinity and NaN are errors; values immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)
