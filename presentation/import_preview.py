"""The preview of an import as people read it — what the file changes, school by school, the key
numbers before → after and the warnings — and the words of undo. No Streamlit: the «Данные» page and
the command line show the same text."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics.importer.changes import Plan, Territory, UndoRefused
from presentation import fmt
from presentation.i18n import text

LIST_LIMIT = 30        # schools / changed rows listed in the command line's text


def count(n: int, form: str, lang: str) -> str:
    """«1 строка», «2 строки», «5 строк» (CLDR plural rules via babel)."""
    return fmt.count(n, text(lang, f"import_preview.forms.{form}"), lang)


def errors_text(n: int, lang: str) -> str:
    return count(n, "error", lang)


def _names(store, lang: str) -> tuple[dict, dict]:
    from analytics.importer.lookups import subject_names

    regions = dict(store.query_rows("SELECT region_id, name FROM regions"))
    municipalities = dict(store.query_rows("SELECT municipality_id, name FROM municipalities"))
    return {"region": regions, "municipality": municipalities}, subject_names(store, lang)


def territory_text(territory: Territory, store, lang: str) -> str:
    names = _names(store, lang)[0][territory.level]
    return ", ".join(text(lang, f"import_preview.territory_{territory.level}", name=names.get(i, i))
                     for i in territory.ids)


def _school_label(row_or_code, schools: pd.DataFrame | None) -> str:
    code = str(row_or_code)
    if schools is None:
        return code
    match = schools.loc[schools["school_id"] == code, "short_name"]
    return f"{code} {match.iat[0]}" if len(match) and pd.notna(match.iat[0]) else code


def slice_text(row, lang: str, subjects: dict) -> str:
    """«ВПР · Математика · 5 класс · 2026»."""
    parts = []
    if "procedure" in row:
        parts.append(text(lang, f"codes.procedure.{row['procedure']}"))
    if "subject_id" in row:
        parts.append(subjects.get(row["subject_id"], row["subject_id"]))
    if "grade" in row:
        parts.append(f"{int(row['grade'])} {'класс' if lang == 'ru' else 'grade'}")
    if "category" in row:
        parts.append(text(lang, f"codes.category.{row['category']}"))
    if "round" in row:
        parts.append(f"{'этап' if lang == 'ru' else 'round'} {int(row['round'])}")
    if "factor_id" in row:
        parts.append(str(row["factor_id"]))
    if "target_id" in row:
        parts.append(f"{row['target_id']} · {row.get('scope_id', '')}")
    if "mentor_school_id" in row:
        parts.append(f"{row['mentor_school_id']} → {row['mentee_school_id']}")
    if "year" in row:
        parts.append(str(int(row["year"])))
    return " · ".join(parts)


def _value(value, lang: str, share: bool = False) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return text(lang, "import_preview.empty")
    if share:
        return fmt.percent(value, lang)
    if isinstance(value, (dt.date, dt.datetime)):
        return fmt.date(value, lang)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)) or hasattr(value, "dtype"):
        return fmt.number(float(value), lang, 0 if float(value).is_integer() else 1)
    return str(value)


def _share2(n2, participants):
    if n2 is None or participants is None or pd.isna(n2) or pd.isna(participants) or not participants:
        return None
    return float(n2) / float(participants)


def school_table(plan: Plan, lang: str) -> pd.DataFrame:
    table = plan.by_school()
    title = lambda k: text(lang, f"import_preview.columns.{k}")          # noqa: E731
    out = pd.DataFrame({title("code"): table["school"]})
    if "short_name" in table:
        out[title("school")] = table["short_name"].fillna("")
        out[title("municipality")] = table["municipality"].fillna("")
    for status in ("new", "changed", "unchanged", "removed"):
        out[title(status)] = table[status].astype(int)
    return out


def changes_table(plan: Plan, prepared, lang: str, subjects: dict, statuses=("changed", "removed", "new")) -> pd.DataFrame:
    """Rows that change: which row, what happens, the key numbers before → after."""
    from analytics.importer.core import TABLE_COLUMNS

    rows = plan.rows[plan.rows["_status"].isin(statuses)]
    order = {"removed": 0, "changed": 1, "new": 2, "unchanged": 3}
    rows = rows.sort_values("_status", key=lambda s: s.map(order), kind="stable")
    title = lambda k: text(lang, f"import_preview.columns.{k}")          # noqa: E731
    titles = _column_titles(prepared)
    key = list(prepared.spec.row_key)
    values = [c for c in TABLE_COLUMNS[prepared.spec.table] if c not in key]
    records = []
    for row in rows.to_dict("records"):
        record = {title("code"): _school_label(row["_school"], plan.schools),
                  title("row"): slice_text({k: row[k] for k in key if k in row}, lang, subjects),
                  title("status"): text(lang, f"import_preview.status.{row['_status']}")}
        if prepared.spec.table == "results":
            pairs = {"participants": (row["b_participants"], row["a_participants"], False),
                     "share2": (_share2(row["b_n2"], row["b_participants"]),
                                _share2(row["a_n2"], row["a_participants"]), True),
                     "mean_score": (row["b_mean_score"], row["a_mean_score"], False)}
            for name, (before, after, share) in pairs.items():
                record[title(name)] = f"{_value(before, lang, share)} → {_value(after, lang, share)}"
            shown = {"participants", "n2", "mean_score"}
            other = [titles.get(c, c) for c in values if c not in shown and row["_status"] == "changed"
                     and _differs(row[f"b_{c}"], row[f"a_{c}"])]
            record[title("other")] = ", ".join(other)
        else:
            changed = [c for c in values if row["_status"] != "changed" or _differs(row[f"b_{c}"], row[f"a_{c}"])]
            record[title("values")] = "; ".join(
                f"{titles.get(c, c)}: {_value(row[f'b_{c}'], lang)} → {_value(row[f'a_{c}'], lang)}"
                for c in changed if not (_missing(row[f"b_{c}"]) and _missing(row[f"a_{c}"])))
        records.append(record)
    return pd.DataFrame(records)


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _differs(before, after) -> bool:
    if _missing(before) and _missing(after):
        return False
    if _missing(before) or _missing(after):
        return True
    return before != after


def _column_titles(prepared) -> dict[str, str]:
    spec = prepared.spec
    titles = {c.name: c.title for c in spec.columns}
    titles.update({"n2": "«2»", "n3": "«3»", "n4": "«4»", "n5": "«5»", "mean_score": "Средний балл",
                   "score_sd": "Стандартное отклонение", "n_below_min": "Не преодолели минимальный порог",
                   "n_high": "81-100 баллов", "n_lower": "Понизили", "n_confirmed": "Подтвердили",
                   "n_higher": "Повысили", "participants": "Количество участников"})
    return titles


def warning_lines(plan: Plan, lang: str, subjects: dict) -> list[str]:
    lines = []
    for warning in plan.warnings:
        params = dict(warning)
        code = params.pop("code")
        params["school"] = _school_label(params.get("school"), plan.schools)
        if code == "loses_rows":
            params["rows"] = count(params.pop("count"), "row", lang)
        if code in ("participants_jump", "share2_jump"):
            params["slice"] = slice_text(params, lang, subjects)
            share = code == "share2_jump"
            params["before"] = _value(params["before"], lang, share)
            params["after"] = _value(params["after"], lang, share)
        lines.append(text(lang, f"import_preview.warning.{code}", **params))
    return lines


def scope_line(plan: Plan, prepared, store, lang: str) -> str:
    if plan.complete is None:
        return text(lang, "import_preview.scope_default", unit=text(lang, f"import_preview.unit.{prepared.kind}"))
    titles = _column_titles(prepared)
    scope = " × ".join(titles.get(c, c).lower() for c in prepared.spec.scope)
    return text(lang, "import_preview.scope_complete", territory=territory_text(plan.complete, store, lang),
                scope=scope)


def summary_line(plan: Plan, prepared, lang: str) -> str:
    counts = plan.counts
    schools = plan.rows.loc[plan.rows["_status"] != "removed", "_school"].nunique()
    return text(lang, "import_preview.summary", rows=count(len(prepared.frame), "row", lang),
                schools=count(schools, "school", lang), **{k: fmt.number(v, lang) for k, v in counts.items()})


def removed_schools(plan: Plan, lang: str) -> list[str]:
    removed = plan.rows[plan.rows["_status"] == "removed"]
    return [f"{_school_label(s, plan.schools)}: {count(n, 'row', lang)}"
            for s, n in removed.groupby("_school").size().items()]


def preview_text(plan: Plan, prepared, store, lang: str = "ru", limit: int = LIST_LIMIT) -> str:
    """The whole preview as lines of text (the command line's --dry-run and confirmation)."""
    _, subjects = _names(store, lang)
    kind_name = text(lang, f"data.kinds.{prepared.kind}")
    lines = [f"{text(lang, 'import_preview.title')}: «{prepared.file_name}» ({kind_name})",
             scope_line(plan, prepared, store, lang), summary_line(plan, prepared, lang)]
    if not plan.changes_anything:
        lines.append(text(lang, "import_preview.nothing"))
    if plan.untouched:
        lines.append(text(lang, "import_preview.untouched", count=fmt.number(plan.untouched, lang)))
    removed = removed_schools(plan, lang)
    if removed:
        lines.append(text(lang, "import_preview.removed_title", schools=count(len(removed), "school", lang)))
        lines += [f"  {s}" for s in removed[:limit]]
        if len(removed) > limit:
            lines.append("  " + text(lang, "import_preview.more", count=len(removed) - limit))
    table = school_table(plan, lang)
    lines.append(text(lang, "import_preview.by_school") + ":")
    for record in table.head(limit).to_dict("records"):
        values = list(record.values())
        head = " ".join(str(v) for v in values[:-4] if v != "")
        counts = ", ".join(f"{k.lower()} {v}" for k, v in list(record.items())[-4:] if v)
        lines.append(f"  {head}: {counts}")
    if len(table) > limit:
        lines.append("  " + text(lang, "import_preview.more", count=len(table) - limit))
    changes = changes_table(plan, prepared, lang, subjects, statuses=("changed", "removed"))
    if len(changes):
        lines.append(text(lang, "import_preview.changes") + ":")
        for record in changes.head(limit).to_dict("records"):
            values = list(record.items())
            head = f"{values[0][1]} · {values[1][1]} ({values[2][1]})"
            rest = "; ".join(f"{k.lower()} {v}" if k != text(lang, "import_preview.columns.other")
                             else text(lang, "import_preview.also", columns=v) for k, v in values[3:] if v)
            lines.append(f"  {head}: {rest}")
        if len(changes) > limit:
            lines.append("  " + text(lang, "import_preview.more", count=len(changes) - limit))
    warnings = warning_lines(plan, lang, subjects)
    if warnings:
        lines.append(text(lang, "import_preview.warnings") + ":")
        lines += [f"  – {w}" for w in warnings[:limit]]
        if len(warnings) > limit:
            lines.append("  " + text(lang, "import_preview.more", count=len(warnings) - limit))
    return "\n".join(lines)


def refusal_text(refused: UndoRefused, lang: str) -> str:
    params = dict(refused.params)
    if isinstance(params.get("at"), dt.datetime):
        params["at"] = params["at"].strftime("%d.%m.%Y %H:%M")
    if "count" in params:
        params["rows"] = count(params.pop("count"), "row", lang)
    if "user" in params:
        params["user"] = f", {params['user']}" if params["user"] not in (None, "", "—") else ""
    return text(lang, f"import_preview.undo_refused.{refused.code}", **params)


def undo_option(row, lang: str) -> str:
    return text(lang, "import_preview.undo.option", id=row["import_id"],
                at=pd.Timestamp(row["started_at"]).strftime("%d.%m.%Y %H:%M"), file=row["file_name"] or "—",
                who=row["user_name"] or "—", new=row["rows_new"], changed=row["rows_changed"],
                removed=row["rows_removed"])
