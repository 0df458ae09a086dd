"""A deadline as people write it («сентябрь-октябрь 2022г., 2023г.», «постоянно») → a schedule.

Order of reading: conditional phrases («по мере…», «по плану…») and recurrence phrases
(«1 раз в месяц», «ежегодно») and continuity phrases («постоянно», «в течение года») are
recognised and cut out first; what remains is tokenised (lexer.py) into dates, months and
years, grouped into items (a point or a span, with the years that apply to it) and
resolved against the roadmap's period. Anything the parser is unsure of becomes a warning.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd

from analytics.roadmap_import.lexer import Token, normalize, tokenize
from analytics.roadmap_import.model import Period, Schedule
from analytics.schedules import expand_recurrence, month_end

CONDITIONAL = (
    r"по мере[^,;]*", r"по необходимости[^,;]*", r"по план[а-я]*[^,;]*", r"в сроки,? установленн[^;]*",
    r"в срок[иа]?,? определенн[^;]*", r"с учетом срок[^;]*", r"в соответствии с [^;]*", r"согласно [^;]*",
    r"по графику[^,;]*", r"по согласованию[^,;]*", r"по запросу[^,;]*", r"по отдельному[^,;]*",
)
CONTINUOUS = (
    r"постоянн[а-я]*", r"систематически", r"регулярно", r"на протяжении[^,;0-9]*", r"весь период[^,;0-9]*",
    r"в период реализации[^,;0-9]*", r"в течени[ея](?: всего| каждого)?(?: учебного| календарного)?"
    r"(?: года| периода| срока[^,;0-9]*| проекта[^,;0-9]*| реализации[^,;0-9]*)?",
)
_NUMBERS = {"один": 1, "одного": 1, "два": 2, "две": 2, "двух": 2, "три": 3, "трех": 3, "четыре": 4}
_N = r"(?:не реже |не менее |не более |хотя бы )?(?P<n>\d+|один|два|две|три|четыре)?\s*раз[а]?"
RECURRENCE = (
    ("biweekly", rf"{_N}\s+в\s+(?:2|две|двe)\s+недел[а-я]*|кажды[ей] (?:2|две) недел[а-я]*|раз в две недели"),
    ("weekly", rf"{_N}\s+в\s+неделю|еженедельн[а-я]*|каждую неделю"),
    ("monthly", rf"{_N}\s+в\s+месяц|ежемесячн[а-я]*|каждый месяц"),
    ("quarterly", rf"{_N}\s+в\s+квартал|ежекварт[а-я]*|каждый квартал"),
    ("halfyearly", rf"{_N}\s+в\s+полугодие|раз в полгода|каждое полугодие"),
    ("every_n_years", r"(?:не реже )?(?:1 |один )?раз в (?P<years>\d+|два|три) (?:года|лет)"),
    ("yearly", rf"{_N}\s+в\s+(?:учебный |календарный )?год(?![а-я])|ежегодн[а-я]*|каждый год"),
    ("daily", r"ежедневн[а-я]*|каждый день"),
)
WEEKDAYS = {"понедельник": "MON", "вторник": "TUE", "сред": "WED", "четверг": "THU", "пятниц": "FRI",
            "суббот": "SAT"}
_WEEKDAY = re.compile(r"(?:по|каждый|каждую|кажд[а-я]*) (понедельник|вторник|сред|четверг|пятниц|суббот)[а-я]*")
MONTH_NAMES = {1: "январь", 2: "февраль", 3: "март", 4: "апрель", 5: "май", 6: "июнь", 7: "июль", 8: "август",
               9: "сентябрь", 10: "октябрь", 11: "ноябрь", 12: "декабрь"}
_DAY_OF_MONTH = re.compile(r"до (\d{1,2}) ?(?:-?го )?числа")


@dataclass
class _Spec:
    unit: str               # date | month | year | quarter | half
    a: tuple = ()           # (day, month) | (month,) | () | (q,) | (h,)
    year: int | None = None

    def first(self, year: int) -> dt.date:
        if self.unit == "date":
            return _safe_date(year, self.a[1], self.a[0])
        if self.unit == "month":
            return dt.date(year, self.a[0], 1)
        if self.unit == "quarter":
            return dt.date(year, 3 * self.a[0] - 2, 1)
        if self.unit == "half":
            return dt.date(year, 1 if self.a[0] == 1 else 7, 1)
        return dt.date(year, 1, 1)

    def last(self, year: int) -> dt.date:
        if self.unit == "date":
            return _safe_date(year, self.a[1], self.a[0])
        if self.unit == "month":
            return month_end(year, self.a[0])
        if self.unit == "quarter":
            return month_end(year, 3 * self.a[0])
        if self.unit == "half":
            return month_end(year, 6 if self.a[0] == 1 else 12)
        return dt.date(year, 12, 31)

    def order(self) -> tuple:
        return (self.first(2001).month, self.first(2001).day) if self.unit != "year" else (0, 0)


@dataclass
class _Item:
    to: _Spec
    frm: _Spec | None = None
    years: list[int] = field(default_factory=list)
    until: bool = False
    open_start: bool = False   # «с ноября 2020г.»: a start only

    def has_year(self) -> bool:
        return bool(self.years) or self.to.year is not None

    def intervals(self, period: Period | None) -> tuple[list[tuple[dt.date, dt.date]], bool]:
        """(start, end) pairs and whether the years were taken from the period."""
        years = [self.to.year] if self.to.year is not None else self.years
        implicit = not years
        if implicit:
            if period is None:
                return [], True
            years = list(period.years)
        pairs = []
        for year in years:
            end = self.to.last(year)
            if self.frm is None:
                start = self.to.first(year)
            else:
                from_year = self.frm.year
                if from_year is None:
                    from_year = year - 1 if self.frm.order() > self.to.order() else year
                start = self.frm.first(from_year)
            pairs.append((start, end))
        if implicit:
            inside = [p for p in pairs if period.contains(p[1])]
            pairs = inside or pairs[:1]
        return pairs, implicit


def _safe_date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:           # 31.04 and the like: the month's last day
        return month_end(year, month)


def _cut(text: str, patterns) -> tuple[str, list[str]]:
    found = []
    for pattern in patterns:
        for match in re.finditer(pattern, text):
            found.append(match.group(0).strip(" ,;"))
        text = re.sub(pattern, " ", text)
    return re.sub(r"\s+", " ", text).strip(), [f for f in found if f]


def _items(tokens: list[Token]) -> list[_Item]:
    items: list[_Item] = []
    group: list[_Item] = []       # items that the last year (list) applied to
    dash = until = frm = False
    previous = None
    for token in tokens:
        kind = token.kind
        if kind in ("date", "month", "quarter", "half"):
            if kind == "date":
                spec = _Spec("date", token.value[:2], token.value[2])
            else:
                spec = _Spec(kind, token.value)
            last = items[-1] if items else None
            if dash and last is not None and last.frm is None and not last.until:
                last.frm = last.to
                if last.to.year is None and len(last.years) == 1:
                    last.frm.year = last.years[0]
                    last.years = []
                last.to = spec
                last.open_start = False
            else:
                items.append(_Item(to=spec, until=until, open_start=frm))
            group, dash, until, frm = [], False, False, False
        elif kind == "year":
            year = token.value[0]
            open_items = []
            for item in reversed(items):
                if item.has_year():
                    break
                open_items.append(item)
            last = items[-1] if items else None
            if open_items:
                for item in open_items:
                    item.years.append(year)
                group = open_items
            elif group and previous in ("year", "sep"):
                for item in group:
                    item.years.append(year)
            elif dash and last is not None and last.to.unit == "year" and last.frm is None:
                last.frm = _Spec("year", (), last.to.year)
                last.to = _Spec("year", (), year)
                last.open_start = False
            else:
                items.append(_Item(to=_Spec("year", (), year), until=until, open_start=frm))
                group = []
            dash, until, frm = False, False, False
        elif kind in ("academic", "yearspan"):
            first = token.value[0]
            if kind == "academic":
                items.append(_Item(to=_Spec("date", (31, 8), first + 1), frm=_Spec("date", (1, 9), first)))
            else:
                items.append(_Item(to=_Spec("year", (), token.value[1]), frm=_Spec("year", (), first)))
            group, dash, until, frm = [], False, False, False
        elif kind == "dash":
            word = token.value[0]
            if word == "до" and (not items or not frm_seen(items)):
                until = True
            else:
                dash = True
        elif kind == "until":
            until = True
        elif kind == "from":
            frm = True
        previous = kind
    return items


def frm_seen(items: list[_Item]) -> bool:
    return bool(items) and items[-1].open_start


def _expand(recurrence: str, start: dt.date, end: dt.date, weekday: str | None) -> list[dt.date]:
    if weekday and recurrence in ("weekly", "biweekly"):
        freq = ("2W-" if recurrence == "biweekly" else "W-") + weekday
        return [d.date() for d in pd.date_range(start, end, freq=freq)]
    return expand_recurrence(recurrence, start, end)


def _months_per_year(n: int) -> list[int]:
    return [12 * k // n for k in range(1, n + 1)]


def parse_deadline(text: str, period: Period | None) -> Schedule:
    """The schedule of one deadline cell; ``period`` is the roadmap's (None if unknown)."""
    original = (text or "").strip()
    rest = normalize(original)
    warnings: list[str] = []
    if not rest:
        return Schedule("unspecified", warnings=["срок не указан"])

    rest, conditions = _cut(rest, CONDITIONAL)
    rest, continuous_words = _cut(rest, CONTINUOUS)
    recurrence = None
    per_year = None
    every_years = None
    for name, pattern in RECURRENCE:
        match = re.search(pattern, rest)
        if match:
            recurrence = name
            n = match.groupdict().get("n")
            count = _NUMBERS.get(n, None) if n and not n.isdigit() else (int(n) if n else 1)
            if name == "yearly":
                per_year = count
            elif name == "every_n_years":
                y = match.group("years")
                every_years = int(y) if y.isdigit() else _NUMBERS.get(y, 2)
            elif name == "monthly" and count > 1:
                recurrence = "biweekly" if count < 4 else "weekly"
                warnings.append(f"«{count} раза в месяц» понято как «{'раз в две недели' if count < 4 else 'еженедельно'}»")
            rest = re.sub(pattern, " ", rest, count=1)
            break
    weekday = None
    match = _WEEKDAY.search(rest)
    if match:
        weekday = WEEKDAYS[match.group(1)]
        recurrence = recurrence or "weekly"
        rest = _WEEKDAY.sub(" ", rest)
    day_of_month = None
    match = _DAY_OF_MONTH.search(rest)
    if match and recurrence == "monthly":
        day_of_month = int(match.group(1))
        rest = _DAY_OF_MONTH.sub(" ", rest)

    tokens, leftovers = tokenize(rest)
    items = _items(tokens)
    intervals: list[tuple[dt.date, dt.date]] = []
    for item in items:
        intervals.extend(item.intervals(period)[0])
    if items and not intervals:
        warnings.append("в сроке нет года, а период дорожной карты неизвестен")
    if leftovers:
        warnings.append("не распознано в сроке: «" + " ".join(leftovers) + "»")
    if conditions:
        warnings.append(f"срок зависит от условия («{original}»): уточните даты")

    starts = [s for s, _ in intervals]
    ends = sorted(set(e for _, e in intervals))
    has_span = any(i.frm is not None or (i.to.unit in ("year", "quarter", "half") and not i.until)
                   for i in items)
    open_start = any(i.open_start for i in items)
    start = min(starts) if starts and (has_span or open_start) else None

    if recurrence is not None and start is not None and period is not None and start < period.start:
        start = period.start      # «ежемесячно с октября 2020» in a 2021–2024 roadmap: from the period's start
        if open_start:
            ends = [e for e in ends if e >= start]
    schedule = None
    if recurrence in ("weekly", "biweekly", "monthly", "quarterly"):
        begin = start or (period.start if period else None)
        finish = (max(ends) if ends and not open_start else None) or (period.end if period else None)
        if begin is None or finish is None:
            warnings.append("повторяющееся мероприятие без периода: даты не развёрнуты")
            dates = []
        elif day_of_month:
            dates = [d for d in (_safe_date(y, m, day_of_month) for y in range(begin.year, finish.year + 1)
                                 for m in range(1, 13)) if begin <= d <= finish]
        else:
            dates = _expand(recurrence, begin, finish, weekday)
        schedule = Schedule("recurring", start, dates, recurrence)
    elif recurrence in ("yearly", "halfyearly"):
        if open_start and period is not None:
            # «ежегодно с сентября 2021»: the month (or the year's end) in every year from the start
            specs = [i.to for i in items if i.open_start]
            dates = sorted({spec.last(y) for spec in specs for y in period.years
                            if period.contains(spec.last(y)) and (start is None or spec.last(y) >= start)})
        elif ends:
            dates = ends
        elif period is None:
            dates = []
            warnings.append("ежегодное мероприятие без периода: даты не развёрнуты")
        else:
            if recurrence == "halfyearly":
                months = [6, 12]
            else:
                months = _months_per_year(per_year or 1)
                if (per_year or 1) not in (1, 4, 12):
                    warnings.append("месяцы не указаны: приняты " + ", ".join(MONTH_NAMES[m] for m in months))
            dates = [month_end(y, m) for y in period.years for m in months]
            dates = [d for d in dates if period.contains(d)] or [period.end]
        schedule = Schedule("recurring", start, sorted(dates), "yearly")
    elif recurrence == "every_n_years":
        if period is None:
            dates = ends
        else:
            dates = [dt.date(y, 12, 31) for y in range(period.start.year + every_years - 1, period.end.year + 1,
                                                       every_years)] or [period.end]
        warnings.append(f"«раз в {every_years} года/лет»: срок принят в конце каждого такого промежутка")
        schedule = Schedule("dates", None, dates, None)
    elif recurrence == "daily" or continuous_words:
        if recurrence == "daily":
            warnings.append("ежедневное мероприятие учтено как постоянное")
        span_end = [max(ends)] if ends and (has_span and not open_start) else []
        schedule = Schedule("continuous", start, span_end, None)
    elif open_start and not any(i.frm for i in items):
        schedule = Schedule("continuous", start, [], None)
    elif intervals:
        schedule = Schedule("period" if has_span else "dates", start if has_span else None, ends, None)
    else:
        if not conditions:
            warnings.append("срок не распознан")
        schedule = Schedule("unspecified")

    if period is not None:
        outside = [d for d in schedule.due_dates if not period.contains(d)]
        if outside:
            warnings.append("срок вне периода дорожной карты: " + ", ".join(d.strftime("%d.%m.%Y") for d in outside))
    schedule.warnings = warnings
    return schedule
