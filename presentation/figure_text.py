"""Figures of the registry as text: label with its date and population, value, definition.

Pure presentation (no Streamlit): pages, slides and the report call these so that a figure
reads the same everywhere (analytics/figures.py holds the definitions and values).
"""
from __future__ import annotations

from analytics.figures import FigureValue, definition, registry
from presentation import fmt
from presentation.i18n import text


def basis_name(basis: str, language: str) -> str:
    return text(language, f"figures.basis.{basis}")


def label(value: FigureValue, language: str) -> str:
    """The figure's label with its date, period and basis filled in."""
    template = registry()[value.figure_id].get("label", language)
    extra = value.extra or {}
    checkpoint = fmt.date(value.as_of, language) if value.figure_id == "roadmap_checkpoint" and value.as_of else ""
    population = text(language, f"figures.population.{extra['category'] or 'profiled'}") \
        if "category" in extra else ""
    return template.format(date=fmt.date(value.as_of, language) if value.as_of else "",
                           year=value.period if value.period is not None else "",
                           checkpoint=checkpoint, population=population,
                           basis=basis_name(extra.get("basis", "measures"), language)).strip()


def value_text(value: FigureValue, language: str, decimals: int = 0) -> str:
    """The value as shown: «—» without data; shares in %, «k из n» for ``of`` figures."""
    if value.empty:
        return "—"
    unit = registry()[value.figure_id].unit
    if unit == "share":
        return fmt.percent(value.value, language, decimals)
    if unit == "of":
        return text(language, "figures.of", count=fmt.number(value.numerator, language),
                    total=fmt.number(value.denominator, language))
    return fmt.number(value.value, language)


def line(value: FigureValue, language: str) -> str:
    """«label: value» — one sentence-like line (slides, passport, report)."""
    return f"{label(value, language)}: {value_text(value, language)}"


def definition_markdown(figure_id: str, language: str) -> str:
    """The definition a user can open next to the figure."""
    parts = definition(figure_id, language)
    return "\n".join(f"- **{text(language, f'figures.fields.{name}')}**: {body}" for name, body in parts.items())


def checkpoint_sentence(checkpoint: FigureValue, language: str) -> str:
    """«на контрольную точку 30.06.2026: 32 % при цели 35 % (−3 п.п.)» and the next checkpoint."""
    parts = []
    if not checkpoint.empty:
        extra = checkpoint.extra
        parts.append(text(language, "figures.checkpoint_line", date=fmt.date(checkpoint.as_of, language),
                          actual=fmt.percent(checkpoint.value, language, 0),
                          target=fmt.percent(extra["target"], language, 0), gap=fmt.points(extra["gap"], language, 0)))
    else:
        parts.append(text(language, "figures.checkpoint_none"))
    nxt = (checkpoint.extra or {}).get("next")
    if nxt:
        parts.append(text(language, "figures.next_checkpoint", date=fmt.date(nxt["date"], language),
                          target=fmt.percent(nxt["target"], language, 0)))
    return "; ".join(parts)
