"""The deadline parser, table-driven: every deadline form listed in docs/ru/roadmap_import.md («Сроки»), in our own wording."""
import datetime as dt

import pytest

from analytics.roadmap_import.deadlines import parse_deadline
from analytics.roadmap_import.model import Period

Y23 = Period(dt.date(2023, 1, 1), dt.date(2023, 12, 31))            # «в 2023 году»
P3 = Period(dt.date(2021, 1, 1), dt.date(2023, 12, 31))             # «на период 2021-2023 гг.»
P4 = Period(dt.date(2020, 1, 1), dt.date(2024, 12, 31))             # «на 2020-2024 годы»
AY = Period(dt.date(2020, 9, 1), dt.date(2021, 8, 31))              # «на 2020/2021 учебный год»
W = True   # a warning is expected


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# text, period, kind, start, due dates (a list, or (count, first, last) for long series), recurrence, warning
CASES = [
    # exact dates and ranges
    ("До 15.02.2023", Y23, "dates", None, ["2023-02-15"], None, False),
    ("до 01.08.2023 г.", Y23, "dates", None, ["2023-08-01"], None, False),
    ("30.06.2023", Y23, "dates", None, ["2023-06-30"], None, False),
    ("01.02-15.05.2023", Y23, "period", "2023-02-01", ["2023-05-15"], None, False),
    ("01.03.-20.05.2023", Y23, "period", "2023-03-01", ["2023-05-20"], None, False),
    ("24.05.-30.06.2023", Y23, "period", "2023-05-24", ["2023-06-30"], None, False),
    ("25.11.2021 27.01.2022 29.03.2022", P3, "dates", None, ["2021-11-25", "2022-01-27", "2022-03-29"], None, False),
    ("15.09.2022, 15.03.2023", P3, "dates", None, ["2022-09-15", "2023-03-15"], None, False),
    ("с 01.09.2022 по 31.05.2023", P3, "period", "2022-09-01", ["2023-05-31"], None, False),
    ("01.09-31.12", Y23, "period", "2023-09-01", ["2023-12-31"], None, False),
    ("10 сентября 2022 г.", P3, "dates", None, ["2022-09-10"], None, False),
    ("до 1 сентября", Y23, "dates", None, ["2023-09-01"], None, False),
    ("до конца 2023 года", Y23, "dates", None, ["2023-12-31"], None, False),
    ("01.03-30.12.2022", Y23, "period", "2022-03-01", ["2022-12-30"], None, W),   # outside the period: kept
    # months
    ("ноябрь 2022г.", P3, "dates", None, ["2022-11-30"], None, False),
    ("Август", Y23, "dates", None, ["2023-08-31"], None, False),
    ("февраль", P3, "dates", None, ["2021-02-28", "2022-02-28", "2023-02-28"], None, False),
    ("Август", AY, "dates", None, ["2021-08-31"], None, False),
    ("октябрь", AY, "dates", None, ["2020-10-31"], None, False),
    ("сентябрь- октябрь 2022г., 2023г.", P3, "period", "2022-09-01", ["2022-10-31", "2023-10-31"], None, False),
    ("октябрь 2020г. – июнь 2021г.", AY, "period", "2020-10-01", ["2021-06-30"], None, False),
    ("апрель-май 2022, 2023гг", P3, "period", "2022-04-01", ["2022-05-31", "2023-05-31"], None, False),
    ("Декабрь 2020 Январь 2021", AY, "dates", None, ["2020-12-31", "2021-01-31"], None, False),
    ("февраль 2021-декабрь 2023", P3, "period", "2021-02-01", ["2023-12-31"], None, False),
    ("октябрь, апрель 2021,2022, 2023гг.", P3, "dates", None,
     ["2021-04-30", "2021-10-31", "2022-04-30", "2022-10-31", "2023-04-30", "2023-10-31"], None, False),
    ("май, декабрь 2022, 2023гг", P3, "dates", None, ["2022-05-31", "2022-12-31", "2023-05-31", "2023-12-31"],
     None, False),
    ("апрель 2022г., апрель 2023г.", P3, "dates", None, ["2022-04-30", "2023-04-30"], None, False),
    ("декабрь 2022, 2023гг.", P3, "dates", None, ["2022-12-31", "2023-12-31"], None, False),
    ("март-апрель", Y23, "period", "2023-03-01", ["2023-04-30"], None, False),
    ("ноябрь-январь", AY, "period", "2020-11-01", ["2021-01-31"], None, False),
    ("сент. 2022", P3, "dates", None, ["2022-09-30"], None, False),
    ("I квартал 2023", Y23, "period", "2023-01-01", ["2023-03-31"], None, False),
    ("первое полугодие 2022", P3, "period", "2022-01-01", ["2022-06-30"], None, False),
    # years
    ("2020", AY, "period", "2020-01-01", ["2020-12-31"], None, False),
    ("2022", P3, "period", "2022-01-01", ["2022-12-31"], None, False),
    ("2020-2024", P4, "period", "2020-01-01", ["2024-12-31"], None, False),
    ("до 2023г.", P3, "dates", None, ["2023-12-31"], None, False),
    ("2022-2023 учебный год", P3, "period", "2022-09-01", ["2023-08-31"], None, False),
    ("в течение 2020-2023гг.", P4, "continuous", "2020-01-01", ["2023-12-31"], None, False),
    ("в течение 2022 года", P3, "continuous", "2022-01-01", ["2022-12-31"], None, False),
    # recurrence
    ("ежегодно", P3, "recurring", None, ["2021-12-31", "2022-12-31", "2023-12-31"], "yearly", False),
    ("Ежегодно, сентябрь", P3, "recurring", None, ["2021-09-30", "2022-09-30", "2023-09-30"], "yearly", False),
    ("ежегодно до 1 марта", P3, "recurring", None, ["2021-03-01", "2022-03-01", "2023-03-01"], "yearly", False),
    ("1 раз в год", Y23, "recurring", None, ["2023-12-31"], "yearly", False),
    ("не реже 1 раза в год", P3, "recurring", None, ["2021-12-31", "2022-12-31", "2023-12-31"], "yearly", False),
    ("2 раза в год (октябрь, апрель)", P3, "recurring", None,
     ["2021-04-30", "2021-10-31", "2022-04-30", "2022-10-31", "2023-04-30", "2023-10-31"], "yearly", False),
    ("2 раза в год", Y23, "recurring", None, ["2023-06-30", "2023-12-31"], "yearly", W),
    ("1 раз в полугодие", Y23, "recurring", None, ["2023-06-30", "2023-12-31"], "yearly", False),
    ("1 раз в месяц", Y23, "recurring", None, (12, "2023-01-31", "2023-12-31"), "monthly", False),
    ("не реже 1 раза в месяц", Y23, "recurring", None, (12, "2023-01-31", "2023-12-31"), "monthly", False),
    ("ежемесячно", Y23, "recurring", None, (12, "2023-01-31", "2023-12-31"), "monthly", False),
    ("ежемесячно до 5 числа", Y23, "recurring", None, (12, "2023-01-05", "2023-12-05"), "monthly", False),
    ("По вторникам 1 раз в неделю", Y23, "recurring", None, (52, "2023-01-03", "2023-12-26"), "weekly", False),
    ("еженедельно", Y23, "recurring", None, (52, "2023-01-06", "2023-12-29"), "weekly", False),
    ("1 раз в 2 недели с ноября 2020г.", AY, "recurring", "2020-11-01", (22, "2020-11-06", "2021-08-27"),
     "biweekly", False),
    ("ежеквартально", Y23, "recurring", None, ["2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31"],
     "quarterly", False),
    ("1 раз в квартал", Y23, "recurring", None, (4, "2023-03-31", "2023-12-31"), "quarterly", False),
    ("1 раз в 3 года", P3, "dates", None, ["2023-12-31"], None, W),
    # continuous
    ("постоянно", P3, "continuous", None, [], None, False),
    ("в течение года", Y23, "continuous", None, [], None, False),
    ("в течение учебного года", AY, "continuous", None, [], None, False),
    ("в течение срока проекта", P3, "continuous", None, [], None, False),
    ("с октября 2020г. постоянно", AY, "continuous", "2020-10-01", [], None, False),
    ("с ноября 2020г. постоянно", AY, "continuous", "2020-11-01", [], None, False),
    ("систематически", P3, "continuous", None, [], None, False),
    ("с 15.01.2023", Y23, "continuous", "2023-01-15", [], None, False),
    ("в течение I квартала 2023 г.", Y23, "continuous", "2023-01-01", ["2023-03-31"], None, False),
    ("ежедневно", Y23, "continuous", None, [], None, W),
    # conditional or unreadable: unspecified, always with a warning
    ("по мере проведения оценочных процедур", P3, "unspecified", None, [], None, W),
    ("по необходимости", P3, "unspecified", None, [], None, W),
    ("по плану работы", P3, "unspecified", None, [], None, W),
    ("по плану ИРО", Y23, "unspecified", None, [], None, W),
    ("в сроки, установленные ИРО", P3, "unspecified", None, [], None, W),
    ("с учетом сроков проведения ВПР", Y23, "unspecified", None, [], None, W),
    ("", Y23, "unspecified", None, [], None, W),
    ("когда-нибудь", Y23, "unspecified", None, [], None, W),
    ("Август", None, "unspecified", None, [], None, W),
    # mixed: parsed, and the uncertain part is a warning
    ("по графику, не реже 1 раз в год", P3, "recurring", None, ["2021-12-31", "2022-12-31", "2023-12-31"],
     "yearly", W),
    ("2023 в соответствии с графиком на первое, второе полугодие", Y23, "period", "2023-01-01", ["2023-12-31"],
     None, W),
]


def test_there_are_at_least_sixty_cases():
    assert len(CASES) >= 60


@pytest.mark.parametrize("text, period, kind, start, due, recurrence, warning", CASES,
                         ids=[f"{i:02d}-{c[0][:30]}" for i, c in enumerate(CASES)])
def test_deadline(text, period, kind, start, due, recurrence, warning):
    schedule = parse_deadline(text, period)
    assert schedule.kind == kind
    assert schedule.start == (d(start) if start else None)
    if isinstance(due, tuple):
        count, first, last = due
        assert (len(schedule.due_dates), schedule.due_dates[0], schedule.due_dates[-1]) == (count, d(first), d(last))
    else:
        assert schedule.due_dates == [d(x) for x in due]
    assert schedule.recurrence == recurrence
    assert bool(schedule.warnings) == warning, schedule.warnings


def test_warning_quotes_the_original_text():
    schedule = parse_deadline("в сроки, установленные ИРО", P3)
    assert "в сроки, установленные ИРО" in schedule.warnings[0]
