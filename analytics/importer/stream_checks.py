"""The DuckDB path's checks, as the pandas path makes them (core._build, validation.py and
kind_rules._student_rules): rows kept (not blank, not «Итого»), file-level columns, the groups' texts
parsed, cell and row problems — and, only when there are problems, a second pass that finds how many
rows have each and the first ``REPORT_LIMIT`` of them with their spreadsheet row numbers, reported
with the same codes, words, columns and values."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import pandas as pd

from analytics.importer.issues import REPORT_LIMIT, FileProblem
from analytics.importer.stream_aggregate import aggregate_groups
from analytics.importer.stream_layout import spreadsheet_rows
from analytics.importer.stream_pass import KEYS, MARKED, connection
from analytics.importer.stream_values import ValueMap, expected_code, is_total_text, typed_values, value_map
from analytics.importer.validation import add_missing


@dataclass
class Rule:
    name: str            # canonical column
    code: str            # problem code
    condition: str       # SQL over the second pass's row (r.*, maps)
    payload: str         # SQL of the value shown (raw text)


class StreamedFile:
    """The state of one fast-path preparation: groups, value maps, rules, the report."""

    def __init__(self, store, prepared, spec, cols, context, csv_path, frame, repeated, minimums):
        self.store, self.prepared, self.spec, self.cols, self.context = store, prepared, spec, cols, context
        self.csv_path, self.frame, self.repeated, self.minimums = csv_path, frame, repeated, minimums
        self.maps: dict[str, ValueMap] = {}
        self.header = prepared.header

    # rows kept: not blank, not «Итого» ------------------------------------------------------------
    def count_rows(self) -> None:
        frame = self.frame
        self.records = int(frame["n"].sum())
        blank = frame["b"].astype(bool)
        for name in KEYS:
            if name in self.cols.present:
                blank &= frame[f"k_{name}"].isna()
        total = frame["t"].astype(bool)
        for name in self.cols.key_totals:
            total |= is_total_text(frame[f"k_{name}"])
        self.prepared.skipped_totals = int(frame.loc[total & ~blank, "n"].sum())
        self.kept = frame.loc[~blank & ~total].reset_index(drop=True)
        self.key_total_raws = {name: sorted(set(frame.loc[is_total_text(frame[f"k_{name}"]), f"k_{name}"]))
                               for name in self.cols.key_totals}
        self.prepared.source_rows = int(self.kept["n"].sum())
        if self.prepared.source_rows == 0:
            raise FileProblem("no_rows")

    # file-level checks of core._build ----------------------------------------------------------------
    def file_columns(self) -> bool:
        issues, spec, prepared = self.prepared.issues, self.spec, self.prepared
        for name, titles in self.header.duplicates:
            issues.add_file("duplicate_column", column=" / ".join(titles))
        for name in spec.defaults:
            if name not in self.cols.present and name in prepared.options:
                prepared.filled_from_options.append(name)
        available = set(self.cols.present) | set(prepared.filled_from_options)
        missing = [c for c in spec.columns if c.required and c.name not in available]
        add_missing(issues, spec, missing)
        return not (missing or issues)

    def title(self, name: str) -> str:
        return self.header.titles.get(name, self.spec.column(name).title)

    # parsing the raw texts of the groups ---------------------------------------------------------------
    def parse(self) -> None:
        kept, spec = self.kept, self.spec
        self.raw = {name: kept[f"k_{name}"] for name in KEYS}      # one Series each (lookups cache codes)
        for name in KEYS:
            self.maps[name] = value_map(spec.column(name), kept[f"k_{name}"], self.context,
                                        self.context.school_ids() if name == "school_id" else None)
        for name, odd in (("mark", "om"), ("journal_mark", "oj"), ("score", "os")):
            if odd in kept:
                self.maps[name] = value_map(spec.column(name), kept[odd].dropna(), self.context)
        # Per group only where needed (empty marks / scores per procedure); the other problems are
        # looked up in the maps, which hold exactly the texts of the groups kept.
        self.problems = {}
        for name, odd in (("mark", "om"), ("score", "os")):
            if name in self.maps:
                self.problems[name] = self.maps[name].lookup(kept[odd], "problem").where(kept[odd].notna(), None)
        self.procedure = self.maps["procedure"].lookup(self.raw["procedure"], "value")

    def cell_problems(self) -> bool:
        """Bad values, empty required cells, values out of range (core._build before the kind rules)."""
        cell = ["bad_value", "required_empty", "out_of_range"]
        if any(m.frame["problem"].isin(cell).any() for m in self.maps.values()):
            return True
        return "s_min" in self.kept and bool(((self.kept["s_min"] < 0) | (self.kept["s_max"] > 100)).any())

    def value_columns(self) -> bool:
        """kind_rules._student_rules: a mark column when there are ВПР/ОГЭ rows, a score column for ЕГЭ."""
        issues, spec = self.prepared.issues, self.spec
        if self.procedure.isin(MARKED).any() and "mark" not in self.cols.present:
            issues.add_file("missing_column", column=spec.column("mark").title,
                            synonyms=", ".join(spec.column("mark").synonyms[:3]))
        if self.procedure.eq("EGE").any() and "score" not in self.cols.present:
            issues.add_file("missing_column", column=spec.column("score").title,
                            synonyms=", ".join(spec.column("score").synonyms[:3]))
        return not issues

    def _empty(self, name: str, odd: str, count: str) -> pd.Series:
        """Rows of each group whose ``name`` is missing (NULL, or only spaces)."""
        kept = self.kept
        plain_missing = kept["n"] - kept[count]
        odd_missing = kept["n"].where(self.problems[name].eq("empty"), 0)
        return plain_missing.where(kept[odd].isna(), odd_missing)

    def any_row_problem(self) -> bool:
        marked = self.procedure.isin(MARKED)
        if "mark" in self.cols.present and (marked & self._empty("mark", "om", "n_m").gt(0)).any():
            return True
        if "score" in self.cols.present and (self.procedure.eq("EGE") & self._empty("score", "os", "s_n").gt(0)).any():
            return True
        return bool(self.maps["school_id"].frame["problem"].eq("unknown_school").any())

    # rules for the second pass -----------------------------------------------------------------------
    def _key_join(self, name: str) -> str:
        return f'LEFT JOIN "{self._view(name)}" mp_{name} ON {self._expr(name)} IS NOT DISTINCT FROM mp_{name}.raw'

    def _expr(self, name: str) -> str:
        expr = self.cols.keys.get(name) or self.cols.present[name]
        return expr if expr.startswith("CAST(") else f"r.{expr}"

    def _view(self, name: str) -> str:
        return f"_import_map_{name}_{threading.get_ident()}"

    def cell_rules(self) -> list[Rule]:
        """core._build: per column (spec order) bad values then empty required cells; then ranges."""
        rules = []
        for column in self.spec.columns:
            name = column.name
            if name not in self.maps:
                continue
            source = self._expr(name) if name in KEYS else f"r.{self.cols.present[name]}"
            rules.append(Rule(name, "bad_value", f"mp_{name}.problem = 'bad_value'", source))
            if column.required:
                rules.append(Rule(name, "required_empty", f"mp_{name}.problem = 'required_empty'", source))
        for column in self.spec.columns:
            name = column.name
            if name not in self.maps or (column.min is None and column.max is None):
                continue
            source = self._expr(name) if name in KEYS else f"r.{self.cols.present[name]}"
            condition = f"mp_{name}.problem = 'out_of_range'"
            if name == "score":
                condition = f"({condition} OR r.s < {column.min} OR r.s > {column.max})"
            rules.append(Rule(name, "out_of_range", condition, source))
        return rules

    def row_rules(self) -> list[Rule]:
        """kind_rules._student_rules: an empty mark (ВПР, ОГЭ) or score (ЕГЭ); an unknown school."""
        rules = []
        if "mark" in self.cols.present:
            rules.append(Rule("mark", "required_empty",
                              f"mp_procedure.value IN ('VPR', 'OGE') AND (r.{self.cols.present['mark']} IS NULL "
                              f"OR mp_mark.problem = 'empty')", f"r.{self.cols.present['mark']}"))
        if "score" in self.cols.present:
            rules.append(Rule("score", "required_empty",
                              f"mp_procedure.value = 'EGE' AND (r.{self.cols.present['score']} IS NULL "
                              f"OR mp_score.problem = 'empty')", f"r.{self.cols.present['score']}"))
        rules.append(Rule("school_id", "unknown_school", "mp_school_id.problem = 'unknown_school'",
                          self._expr("school_id")))
        return rules

    def _register(self, con) -> list[str]:
        views = []
        for name, mapping in self.maps.items():
            frame = mapping.frame.copy()
            frame["value"] = frame["value"].map(lambda v: None if v is None else str(v)).astype(object)
            frame["total"] = False
            totals = self.key_total_raws.get(name, [])
            if totals:       # «Итого» rows are not in the groups kept: join them as such
                frame = pd.concat([frame, pd.DataFrame({"raw": totals, "value": None, "problem": None,
                                                        "total": True})], ignore_index=True)
            con.register(self._view(name), frame[["raw", "value", "problem", "total"]])
            views.append(self._view(name))
        return views

    def _source(self) -> str:
        """The rows of the second pass: every record with its number, the maps joined."""
        cols = self.cols
        extra = [f"{cols.score()} AS s", f"({cols.total_row()}) AS t"]
        if cols.student():
            extra.append(f"{cols.student()} AS sid")
        joins = "\n".join(self._key_join(name) if name in KEYS else
                          f'LEFT JOIN "{self._view(name)}" mp_{name} ON r.{cols.present[name]} = mp_{name}.raw'
                          for name in self.maps)
        keep = ["NOT r.t", f"NOT ({cols.blank_row('r.')})"]
        keep += [f"NOT coalesce(mp_{name}.total, false)" for name in self.cols.key_totals]
        return (f"FROM (SELECT *, {', '.join(extra)} FROM {cols.read()} WITH ORDINALITY) r\n{joins}\n"
                f"WHERE {' AND '.join(keep)}")

    def _second_pass(self, rules: list[Rule]) -> list[tuple[int, list]]:
        aggs = []
        for i, rule in enumerate(rules):
            aggs.append(f"count(*) FILTER (WHERE {rule.condition}) AS n{i}")
            aggs.append(f"min_by({{'rn': r.ordinality, 'v': {rule.payload}}}, r.ordinality, {REPORT_LIMIT}) "
                        f"FILTER (WHERE {rule.condition}) AS f{i}")
        con = connection(self.store)
        try:
            self._register(con)
            row = con.execute(f"SELECT {', '.join(aggs)}\n{self._source()}", self.cols.params(self.csv_path)
                              ).fetchall()[0]
        finally:
            con.close()
        return [(int(row[2 * i] or 0), list(row[2 * i + 1] or [])) for i in range(len(rules))]

    def duplicates(self) -> tuple[int, list[int]] | None:
        """Rows repeating an earlier participant × year × procedure × subject (kind_rules._student_rules),
        checked exactly on the rows whose hash repeats (all rows if a value is written two ways)."""
        if not self.cols.student():
            return None
        cols, kept = self.cols, self.kept
        ambiguous = False          # the subject written two ways: equal keys may hash differently
        for name in ("subject_id",):
            if name in cols.present:
                values = self.maps[name].lookup(self.raw[name], "value")
                pairs = pd.DataFrame({"raw": kept[f"k_{name}"], "value": values}).drop_duplicates()
                ambiguous |= bool(pairs["value"].duplicated().any())
        con = connection(self.store)
        view = f"_import_repeated_{threading.get_ident()}"
        try:
            self._register(con)
            con.register(view, pd.DataFrame({"h": self.repeated.astype("uint64")}))
            hashed = cols.student_key().replace("NOT t", "NOT r.t").replace("sid", "r.sid")
            for column in cols.present.values():
                hashed = re.sub(rf"\b{column}\b", f"r.{column}", hashed)
            candidates = "" if ambiguous else f"AND {hashed} IN (SELECT h FROM \"{view}\")"
            keys = ", ".join(["r.sid"] + [f"mp_{k}.value" for k in ("year", "procedure", "subject_id")])
            sql = (f"SELECT count(*), min_by(rn, rn, {REPORT_LIMIT}) FROM (\n"
                   f"  SELECT r.ordinality AS rn, row_number() OVER (PARTITION BY {keys} ORDER BY r.ordinality) AS k\n"
                   f"  {self._source()} AND r.sid IS NOT NULL {candidates}\n"
                   f") WHERE k > 1")
            count, first = con.execute(sql, cols.params(self.csv_path)).fetchall()[0]
        finally:
            con.close()
        return (int(count), list(first or [])) if count else None

    # the report ------------------------------------------------------------------------------------
    def report(self, rules: list[Rule], duplicates: tuple[int, list[int]] | None = None) -> None:
        results = self._second_pass(rules) if rules else []
        ordinals = [item["rn"] for _, first in results for item in first] + (duplicates[1] if duplicates else [])
        rows = dict(zip(ordinals, spreadsheet_rows(self.csv_path, self.cols.layout, self.records, ordinals)))
        issues = self.prepared.issues
        for rule, (count, first) in zip(rules, results):
            if not count:
                continue
            numbers = [rows[item["rn"]] for item in first]
            raws = pd.Series([item["v"] for item in first], dtype=object)
            column = self.spec.column(rule.name)
            title = self.title(rule.name)
            if rule.code == "bad_value":
                mapping = self.maps[rule.name]
                values = mapping.lookup(raws, "clean").tolist()
                expected = expected_code(column)
                issues.add_first(numbers, title, values, "bad_value", count, expected=expected.split(":")[0],
                                 allowed=self.context.allowed(expected))
            elif rule.code == "required_empty":
                values = None if rule.name in KEYS or column.required else [pd.NA] * len(numbers)
                issues.add_first(numbers, title, values, "required_empty", count)
            elif rule.code == "out_of_range":
                values = typed_values(column, raws, self.context)
                issues.add_first(numbers, title, values, "out_of_range", count, rule="", min=column.min,
                                 max=column.max)
            elif rule.code == "unknown_school":
                values = self.maps["school_id"].lookup(raws, "value").tolist()
                issues.add_first(numbers, title, values, "unknown_school", count)
                issues.frames[-1]["params"] = [{"hint": self.context.leading_zero_hint(v)} for v in values]
        if duplicates:
            count, first = duplicates
            issues.add_first([rows[o] for o in first], self.title("student_id"), "•••", "duplicate_student", count)

    # the rows to store -------------------------------------------------------------------------------
    def aggregate(self) -> pd.DataFrame:
        return aggregate_groups(self.kept, self.maps, self.raw, self.cols.present, self.context.min_scores(),
                                self.minimums)
