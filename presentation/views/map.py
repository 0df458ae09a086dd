"""Views of «Карта школ и наставники» (pages/map.py): the legend's HTML, the school card's
mentor lines, the assignment's figures against the current pairs and its formatted tables."""
from __future__ import annotations

import html

import pandas as pd

from presentation import fmt
from presentation.i18n import text
from presentation.safe import html_text, md

# Each legend item in its own no-wrap box, so a colour dot never ends a line apart from its label.
_SWATCH = '<span style="white-space:nowrap;margin-right:1.2em"><span style="display:inline-block;width:0.9em;' \
          'height:0.9em;border-radius:50%;background:{};border:1px solid #333;margin-right:0.35em;' \
          'vertical-align:-0.1em"></span>{}</span>'

# The assignment's figures: (label key, summary key).
FIGURES = [("metric_assigned", "assigned"), ("metric_total", "total_km"), ("metric_longest", "longest_km"),
           ("metric_beyond", "beyond_limit"), ("metric_over", "mentors_over_capacity")]


def legend_html(items: list[tuple[str, str]], *, escaped: bool = False) -> str:
    """The legend above the map from (colour, label) items; ``escaped`` labels are HTML-escaped
    (the choropleth's own texts), others made safe as data text."""
    quote = html.escape if escaped else html_text
    return ('<div style="font-size:1.05rem;line-height:2">'
            + "".join(_SWATCH.format(colour, quote(label)) for colour, label in items) + "</div>")


def choropleth_legend(bins, no_data_colour: str, language: str) -> str:
    items = [(c, text(language, "map.legend_choropleth", low=fmt.percent(lo, language), high=fmt.percent(hi, language)))
             for lo, hi, c in bins]
    items.append((no_data_colour, text(language, "map.no_data_colour")))
    return legend_html(items, escaped=True)


def schools_legend(categories: pd.Series, names: dict[str, str], colours: dict[str, str], language: str) -> str:
    counts = categories.value_counts()
    return legend_html([(colours[c], text(language, "map.legend_schools", name=name, count=int(counts.get(c, 0))))
                        for c, name in names.items() if c != "biased"])


def pair_lines(pairs: pd.DataFrame, name_column: str, language: str) -> str:
    """«name (N km по дорогам)» for each pair, ``; ``-joined (markdown-escaped names)."""
    return "; ".join(f"{md(getattr(r, name_column))} "
                     f"({text(language, 'map.km_' + r.km_kind, km=fmt.number(r.km, language))})"
                     for r in pairs.itertuples())


def assignment_figures(summary: dict, now: dict, language: str) -> list[dict]:
    """The proposal's five figures with their change against the current assignment. The arrow
    follows the change (down when the distance went down); green when it is better: more
    schools assigned, fewer kilometres and overloads."""
    shown = []
    for label, key in FIGURES:
        if key == "assigned":
            value, before = f"{summary['assigned']} / {summary['mentees']}", f"{now['assigned']} / {now['mentees']}"
        else:
            value, before = fmt.number(summary[key], language, 0), fmt.number(now[key], language, 0)
        change = summary[key] - now[key]
        shown.append({"label": text(language, f"map.{label}"), "value": value,
                      "change": text(language, "map.vs_current_change", change=fmt.signed(change, language, 0),
                                     value=before),
                      "delta_color": "normal" if key == "assigned" else "inverse",
                      "delta_arrow": "auto" if change else "off"})
    return shown


def table(frame: pd.DataFrame, columns: list[str], language: str) -> pd.DataFrame:
    """``columns`` of an assignment frame with kilometres rounded, kinds and reasons in words and
    the catalogue's headers."""
    view = frame[columns].copy()
    for column in view.columns:
        if (column.startswith("km") or column.endswith("_km")) and column != "km_kind":
            view[column] = view[column].astype(float).round(1)
    if "km_kind" in view:
        view["km_kind"] = view["km_kind"].map(lambda k: text(language, f"map.km_kind_value.{k}") if isinstance(k, str)
                                              else k)
    if "reason" in view:
        view["reason"] = view["reason"].map(lambda r: text(language, f"map.reason_{r}"))
    return view.rename(columns={c: text(language, f"map.columns.{c}") for c in columns})


def assignment_tables(proposal: dict, language: str) -> dict:
    """The proposal's pairs, its comparison with the current pairs and the schools left unassigned."""
    unassigned = proposal["unassigned"]
    return {
        "pairs": table(proposal["pairs"].sort_values("km", ascending=False),
                       ["mentee_school_id", "mentee_name", "mentor_school_id", "mentor_name", "km", "km_kind",
                        "straight_km", "road_km", "beyond_limit"], language),
        "comparison": table(proposal["comparison"], ["mentee_school_id", "mentee_name", "mentor_school_id_current",
                                                     "km_current", "mentor_school_id_proposed", "km_proposed",
                                                     "changed", "km_saved"], language),
        "unassigned": None if unassigned.empty else table(unassigned, ["mentee_school_id", "mentee_name", "reason"],
                                                          language),
        "unassigned_count": len(unassigned),
    }


CHANGE_LOG_COLUMNS = ["year", "mentee_school_id", "old_mentor_school_id", "new_mentor_school_id", "road_km",
                      "reason", "changed_by", "changed_at"]
