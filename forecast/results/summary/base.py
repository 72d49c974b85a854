"""The base of every document a run writes: unknown fields refused, NaN written as NaN."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class DocumentModel(BaseModel):
    # NaN (an R-hat that could not be computed) is written as NaN, as json.dumps does, and read back
    model_config = ConfigDict(extra="forbid", ser_json_inf_nan="constants")
