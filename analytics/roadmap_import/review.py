"""What the importer understood, measure by measure, with every field it is not sure of.

Nothing is saved from a review that still has unresolved fields unless the person saving
accepts the guesses (the page: a tick per row and «Период проверен»; the command line:
``--accept-guesses``). Unsure fields: the period (not written in the document), a deadline
the parser warned about, an executor the catalogue does not know, a school named in the
row that could not be linked to the registry with confidence, a measure without a title.
"""
from __future__ import annotations

from dataclasses import dataclass

from analytics.roadmap_import.model import Measure, ParsedRoadmap
from analytics.roadmap_import.schools import SchoolMatch, SchoolRegistry, find_mentions

FIELDS = ("period", "title", "deadline", "executors", "schools")
PERIOD_SOURCES = {
    "title": "из названия", "preamble": "из текста над таблицей",
    "deadlines": "угадан по годам в сроках", "default_year": "не найден: взят год по умолчанию",
    None: "не найден",
}


@dataclass(frozen=True)
class Issue:
    field: str
    message: str


def period_issue(parsed: ParsedRoadmap) -> Issue | None:
    if not parsed.period_guessed:
        return None
    if parsed.period is None:
        return Issue("period", "период дорожной карты не найден в документе: укажите его")
    return Issue("period", f"период {parsed.period.start:%d.%m.%Y}–{parsed.period.end:%d.%m.%Y} "
                           f"{PERIOD_SOURCES[parsed.period_source]}: проверьте")


def link_schools(measure: Measure, registry: SchoolRegistry, municipality_id: str | None = None,
                 mentions: list[str] | None = None) -> list[SchoolMatch]:
    """Match the schools the measure names (in its title and executors, or ``mentions`` as
    corrected by a person) and keep the confident ones in ``measure.school_ids``."""
    if mentions is None:
        matches = registry.match_cells([measure.title, *measure.executors], municipality_id)
    else:
        matches = [registry.match(m, municipality_id) for m in mentions if m.strip()]
    measure.school_ids = list(dict.fromkeys(m.school_id for m in matches if m.linked))
    named = {m.text for m in matches}
    levels = measure.executor_levels or [None] * len(measure.executors)
    measure.executor_levels = ["school" if level is None and find_mentions(name) else level
                               for name, level in zip(measure.executors, levels)]
    measure.unknown_executors = [e for e in measure.unknown_executors
                                 if not any(text in e or e in text for text in named)]
    return matches


def measure_issues(measure: Measure, matches: list[SchoolMatch]) -> list[Issue]:
    issues = []
    if not measure.title:
        issues.append(Issue("title", "нет названия мероприятия"))
    if measure.schedule.kind == "unspecified" or measure.schedule.warnings:
        issues.append(Issue("deadline", "; ".join(measure.schedule.warnings) or "срок не распознан"))
    if measure.unknown_executors:
        issues.append(Issue("executors", "нет в справочнике исполнителей: " +
                            ", ".join(f"«{e}»" for e in measure.unknown_executors)))
    for match in matches:
        if match.linked:
            continue
        if match.school_id is None:
            issues.append(Issue("schools", f"школа «{match.text}» не найдена в реестре"))
        else:
            score = f"{match.score:.2f}".replace(".", ",")
            issues.append(Issue("schools", f"школа «{match.text}»: возможно, «{match.school_name}» "
                                           f"(сходство {score}), не связана"))
    return issues


def review(parsed: ParsedRoadmap, registry: SchoolRegistry | None = None, municipality_id: str | None = None,
           accepted: frozenset[str] = frozenset(), period_confirmed: bool = False) -> dict:
    """The review as one JSON-ready dict; ``unresolved`` lists what still needs a person.
    ``accepted``: numbers of measures whose guesses a person accepted."""
    registry = registry or SchoolRegistry(None)
    result = parsed.as_dict()
    unresolved = []
    issue = period_issue(parsed)
    if issue is not None and not period_confirmed:
        unresolved.append({"number": None, "field": issue.field, "message": issue.message})
    measures = []
    for measure in parsed.measures:
        matches = link_schools(measure, registry, municipality_id)
        issues = measure_issues(measure, matches)
        row = measure.as_dict()
        row.update(source=measure.source, unknown_executors=list(measure.unknown_executors),
                   schools=[dict(text=m.text, school_id=m.school_id, school_name=m.school_name, score=m.score,
                                 linked=m.linked) for m in matches],
                   school_ids=list(measure.school_ids),
                   issues=[dict(field=i.field, message=i.message) for i in issues])
        measures.append(row)
        if measure.number not in accepted:
            unresolved.extend({"number": measure.number, "field": i.field, "message": i.message} for i in issues)
    result.update(measures=measures, unresolved=unresolved)
    return result
