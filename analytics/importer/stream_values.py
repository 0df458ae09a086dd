"""The DuckDB path's raw texts → values: each column's distinct texts of the groups are parsed once
with the pandas path's own parsers (parsing.py), so both paths read every text the same way."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.importer.parsing import clean, parse_column


def is_total_text(values: pd.Series) -> pd.Series:
    """header.is_total_row for one column of texts (run on its distinct texts)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = pd.Series(uniques, dtype=object).astype("string").str.strip().str.lower()
    total = np.append(text.str.match(r"^(итого|всего)").fillna(False).astype(bool).to_numpy(), False)
    return pd.Series(total[codes], index=values.index)


@dataclass
class ValueMap:
    """Distinct raw texts of one column → clean text, parsed value and the problem, if any."""
    frame: pd.DataFrame                   # raw, clean, value, problem
    expected: str = ""

    _codes: dict = field(default_factory=dict, repr=False)

    def lookup(self, raws: pd.Series, what: str) -> pd.Series:
        """``what`` (clean / value / problem) for each raw text (None: missing)."""
        known = self.frame[self.frame["raw"].notna()]
        missing = self.frame.loc[self.frame["raw"].isna(), what]
        cached = self._codes.get(id(raws))
        if cached is None or cached[0] is not raws:      # the same column is looked up several times
            cached = (raws, *pd.factorize(raws, use_na_sentinel=True))
            self._codes[id(raws)] = cached
        _, codes, uniques = cached
        column = pd.Series(known[what].to_numpy(dtype=object), index=pd.Index(known["raw"].to_numpy(dtype=object)))
        values = column.reindex(pd.Index(np.asarray(uniques, dtype=object))).to_numpy(dtype=object)
        values = np.append(values, missing.iat[0] if len(missing) else None)
        values[pd.isna(values)] = None
        return pd.Series(values[codes], index=raws.index, dtype=object)


def value_map(column, raws: pd.Series, context, known_schools: frozenset | None = None) -> ValueMap:
    raws = pd.Series(pd.unique(raws.astype(object).where(raws.notna(), None)), dtype=object)
    text = clean(raws)
    values, bad, expected = parse_column(column, text, context)
    problem = pd.Series(None, index=raws.index, dtype=object)
    problem[bad.fillna(False).astype(bool).to_numpy()] = "bad_value"
    if column.required:
        problem[text.isna().to_numpy() & problem.isna().to_numpy()] = "required_empty"
    if column.min is not None or column.max is not None:
        numbers = pd.to_numeric(pd.Series(values, index=raws.index), errors="coerce")
        low = numbers < column.min if column.min is not None else False
        high = numbers > column.max if column.max is not None else False
        out = (pd.Series(low, index=raws.index) | pd.Series(high, index=raws.index)).fillna(False).astype(bool)
        problem[out.to_numpy() & problem.isna().to_numpy()] = "out_of_range"
    if known_schools is not None:
        unknown = np.array([v is not None and v is not pd.NA and v == v and v not in known_schools
                            for v in values.astype(object).tolist()], dtype=bool)
        problem[unknown & problem.isna().to_numpy()] = "unknown_school"
    frame = pd.DataFrame({"raw": raws, "clean": text.astype(object).where(text.notna(), None),
                          "value": pd.Series(values, index=raws.index).astype(object), "problem": problem})
    frame["value"] = frame["value"].where(pd.Series(values, index=raws.index).notna(), None)
    if not column.required:       # an empty optional value is not "bad"; marks / scores: see the rules
        frame.loc[frame["clean"].isna() & frame["problem"].isna(), "problem"] = "empty"
    return ValueMap(frame, expected)


def expected_code(column) -> str:
    kind = column.type
    return {"int": "integer", "float": "number", "year": "year", "grade": "grade", "date": "date",
            "subject": "one_of:subject", "factor": "one_of:factor", "municipality": "one_of:municipality",
            "bool": "bool"}.get(kind, f"one_of:{kind.split(':', 1)[1]}" if kind.startswith("enum:") else "")


def typed_values(column, raws: pd.Series, context) -> list:
    values = parse_column(column, clean(raws), context)[0]
    return [None if pd.isna(v) else v for v in values.tolist()]
