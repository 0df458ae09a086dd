"""Roadmap documents built by the tests themselves (DOCX, XLSX, text), in the shapes real ones take."""
from __future__ import annotations

import datetime as dt
import io

TITLE_DOCX = "Дорожная карта по поддержке школ с низкими результатами на 2021-2024 годы"


def docx_roadmap() -> bytes:
    """Two-row header with merged cells, an extra column, sections as merged rows, a numbered
    sub-section row, hierarchical numbers and a row split by a page break."""
    import docx

    document = docx.Document()
    document.add_paragraph("УТВЕРЖДАЮ")
    document.add_paragraph(TITLE_DOCX)
    table = document.add_table(rows=2, cols=7)
    top, sub = table.rows[0].cells, table.rows[1].cells
    for column, text in ((0, "№ п/п"), (1, "Содержание действия"), (2, "Срок"), (5, "Ожидаемый результат"),
                         (6, "Примечание")):
        top[column].text = text
        top[column].merge(sub[column])
    top[3].text = "Ответственный исполнитель"
    top[3].merge(top[4])
    sub[3].text, sub[4].text = "регион", "район"

    def add(*values):
        cells = table.add_row().cells
        for cell, value in zip(cells, values):
            cell.text = value
        return cells

    def section(text):
        cells = add(text)
        cells[0].merge(cells[-1])

    section("1. Организационные мероприятия")
    add("1.1", "Назначение координаторов", "до 01.02.2021", "Министерство", "МОУО", "Приказ", "")
    section("2. Методическая поддержка")
    add("2.1", "Курсы повышения квалификации", "", "", "", "", "")
    add("2.1.1", "Курсы для учителей математики", "октябрь-ноябрь 2021, 2022гг.", "ИРО", "", "Удостоверения",
        "в плане ИРО")
    add("", "и русского языка", "", "", "РМО", "", "")           # the same row continued after a page break
    add("2.1.2", "Семинары для заместителей директоров", "ежегодно", "ИРО", "", "", "")
    add("2.2", "Консультации для учителей", "постоянно", "", "ИМЦ, РОО", "Журнал консультаций", "")
    document.add_paragraph("Принятые сокращения: ИРО — институт развития образования.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_without_table() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Дорожная карта на 2023 год")
    document.add_paragraph("Мероприятия будут определены позднее.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_roadmap() -> bytes:
    """A title row, a header without an indicator column, a row of column numbers, unnumbered
    section rows and numbering that restarts in each section; a deadline stored as a date."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "План"
    sheet["A1"] = "План мероприятий («дорожная карта») на 2020/2021 учебный год"
    sheet.merge_cells("A1:D1")
    sheet.append([])
    sheet.append(["№", "Мероприятия", "Сроки реализации", "Ответственные"])
    sheet.append([1, 2, 3, 4])
    sheet.append(["Организационные мероприятия"])
    sheet.merge_cells("A5:D5")
    sheet.append([1, "Совещание с директорами", dt.datetime(2020, 10, 15), "Управление образования"])
    sheet.append([2, "Анализ результатов ВПР", "Август", "ЦОКО; ИМЦ"])
    sheet.append(["Работа с педагогами"])
    sheet.merge_cells("A8:D8")
    sheet.append([1, "Методический десант", "1 раз в месяц", "ИМЦ"])
    sheet.append([2, "Стажировки в школах-наставниках", "по мере необходимости", "ИМЦ"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def text_roadmap() -> bytes:
    """Tab-separated text as extracted from Word: the header repeated after a page break,
    sections as numbered lines between the tables, task lists that are not sections, a
    numbered section row, and a continuation row."""
    lines = [
        "УТВЕРЖДАЮ",
        "План-график «дорожная карта» работы со школами",
        "с низкими образовательными результатами в 2023 году",
        "",
        "№ п/п\tМероприятие\tСроки\tОператор\tПланируемый результат",
        "1. Мониторинг Задачи: выявить дефициты. Показатели: 100 % школ\t\t\t\t",
        "1.1\tАнкетирование школ\t01.02-15.03.2023\tЦОКО\tРисковые профили",
        "1.2\tМониторинг исполнения дорожной карты\t30.06.2023, 30.11.2023\tЦОКО ИМЦ\tСправка",
        "",
        "2. Методическое сопровождение",
        "1. Развитие системы наставничества.",
        "2. Распространение опыта.",
        "Показатели:",
        "- не менее 50 % учителей",
        "№ п/п\tМероприятие\tСроки\tОператор\tПланируемый результат",
        "2.1\tМетодический десант в школы\tпо вторникам 1 раз в неделю\tИМЦ\t",
        "2.2\tСеминар по результатам\tапрель-\tИМЦ, РОО\tПрограмма",
        "\tВПР\tмай\t\tсеминара",
        "2.3\tКонсультации\tпо необходимости\tИМЦ\t",
    ]
    return "\n".join(lines).encode("utf-8")
