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


# -- documents in the shapes of real orders (issue 19): each builder covers one kind ----------------
PERIOD_PARAGRAPH_TITLE = "План мероприятий («дорожная карта») по повышению качества образования в школах округа"


def _docx_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_order_with_sections() -> bytes:
    """An order's appendix: the period only in a paragraph under the title («на 2021–2024 годы»);
    a three-row header (№, measure, deadline and result merged down, «Оператор» split into
    «регион» / «район»), a row of column numbers; spanning section rows («1. …», «4. Работа с …»)
    and spanning sub-section rows («1.1. …») over three-level numbers; a deadline cell merged
    down over two measures; measure rows whose wording reads like a header («Проведение
    мероприятий … | Ежегодно | Участники Программы»); executors run together, placeholders and
    result text in operator cells; schools named in cells."""
    import docx

    document = docx.Document()
    document.add_paragraph("ПРИЛОЖЕНИЕ к приказу управления образования")
    document.add_paragraph(PERIOD_PARAGRAPH_TITLE)
    document.add_paragraph("на 2021–2024 годы")
    table = document.add_table(rows=3, cols=6)
    head, sub, third = (table.rows[i].cells for i in range(3))
    for column, text in ((0, "№ п/п"), (1, "Наименование мероприятия"), (2, "Срок исполнения"),
                         (5, "Ожидаемый результат")):
        head[column].text = text
        head[column].merge(third[column])
    head[3].text = "Оператор"
    head[3].merge(head[4])
    sub[3].text, sub[4].text = "регион", "район"
    sub[3].merge(third[3])
    sub[4].merge(third[4])

    def add(*values):
        cells = table.add_row().cells
        for cell, value in zip(cells, values):
            cell.text = value
        return cells

    def spanning(text):
        cells = add(text)
        cells[0].merge(cells[-1])

    add("1", "2", "3", "4", "5", "6")
    spanning("1. Организационно-управленческие меры")
    spanning("1.1. Нормативное обеспечение")
    add("1.1.1.", "Утверждение муниципальных дорожных карт", "до 01.03.2021", "Министерство образования",
        "МОУО", "Приказ")
    add("1.1.2.", "Мониторинг исполнения дорожных карт", "ежегодно до 30 апреля", "АППО ЦОКО", "-",
        "Аналитическая справка")
    spanning("1.2. Кадровое обеспечение")
    first = add("1.2.1.", "Совещания муниципальных координаторов", "ежеквартально", "Региональный координатор",
                "Муниципальные координаторы Руководители ОО", "Протоколы")
    second = add("1.2.2.", "Консультации для руководителей школ", "", "", "ИМЦ ППМС", "")
    first[2].merge(second[2])                               # «ежеквартально» written once for both
    spanning("4. Работа с участниками образовательных отношений")
    add("4.1.", "Проведение мероприятий для родителей обучающихся", "Ежегодно", "", "Участники Программы", "")
    add("4.2.", "Методический десант в СОШ № 4 и МБОУ «Ясная СОШ»", "Постоянно", "АППО",
        "ИМЦ\nПриказ о проведении десанта", "Справки о посещении")
    add("4.3.", "Стажировки учителей", "ежегодно с сентября 2020", "—", "\"Лесная\" СШ \"Полесская\" СШ", "")
    add("4.4.", "Консультации для учителей по мотивации обучающихся", "февраль-март 2022", "", "ОО", "План")
    return _docx_bytes(document)


def xlsx_school_year_roadmap() -> bytes:
    """A workbook whose title row carries no period and the next row does («на 2020/2021 учебный
    год»); section rows as merged ranges with a number; executors as two abbreviations in a row
    and a placeholder; schools named by number."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "Дорожная карта по поддержке школ с низкими образовательными результатами"
    sheet.merge_cells("A1:E1")
    sheet["A2"] = "на 2020/2021 учебный год"
    sheet.merge_cells("A2:E2")
    sheet.append(["№", "Мероприятие", "Срок", "Ответственные", "Результат"])
    sheet.append(["1. Работа с педагогами"])
    sheet.merge_cells("A4:E4")
    sheet.append(["1.1", "Курсы повышения квалификации", "ежеквартально", "ИМЦ РЦОКО", "Удостоверения"])
    sheet.append(["1.2", "Наставничество в СОШ № 4", "ежегодно", "—", ""])
    sheet.append(["2. Работа с обучающимися"])
    sheet.merge_cells("A7:E7")
    sheet.append(["2.1", "Олимпиады для обучающихся школы № 12", "апрель", "МОУО ОО", "Протокол"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def text_guessed_period_roadmap(school: str = "СОШ № 4") -> bytes:
    """Plain text with no period anywhere above the table (it can only be guessed from the
    deadlines), a deadline nobody can read, an unknown executor and schools: one named as the
    registry has it (``school``), one the registry does not hold."""
    lines = [
        "План работы со школами с низкими результатами",
        "",
        "№\tМероприятие\tСроки\tИсполнители",
        "1\tДиагностика профессиональных дефицитов учителей\tмарт 2024\tИМЦ",
        f"2\tМетодический десант в {school}\tежегодно\tИМЦ, РОО",
        "3\tСеминар для родителей в школе № 987\tпо согласованию\tОЦКР",
        "4\tИтоговое совещание\tдекабрь 2025\tРОО",
    ]
    return "\n".join(lines).encode("utf-8")


def text_three_levels_restarting() -> bytes:
    """Section rows, sub-section rows with a number and a title only, and measures numbered
    «1.», «2.» anew under every sub-section (as Word text: tab-separated)."""
    lines = [
        "Дорожная карта на 2023 год",
        "№\tМероприятие\tСрок\tИсполнитель",
        "1. Кадровые условия",
        "1.1.\tПовышение квалификации\t\t",
        "1.\tКурсы для учителей математики\tмарт\tАППО",
        "2.\tКурсы для учителей русского языка\tапрель\tАППО",
        "1.2.\tНаставничество\t\t",
        "1.\tЗакрепление наставников\tсентябрь\tОО",
        "2.\tОтчёт наставников\tдекабрь\tОО",
        "2. Работа с родителями",
        "2.1.\tРодительские собрания\t\t",
        "1.\tОбщешкольное собрание\tоктябрь\tРуководители ОО",
    ]
    return "\n".join(lines).encode("utf-8")


def xlsx_level_split_operators() -> bytes:
    """A two-row header in a workbook: «Ответственные» merged over «регион» | «муниципалитет»."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "Дорожная карта на 2021-2024 годы"
    sheet.append(["№", "Мероприятие", "Срок", "Ответственные", None, "Результат"])
    for cells in ("D2:E2", "A2:A3", "B2:B3", "C2:C3", "F2:F3"):
        sheet.merge_cells(cells)
    sheet.append([None, None, None, "регион", "муниципалитет", None])
    sheet.append(["1", "Совещание координаторов", "ежегодно", "ИРО", "МОУО ИМЦ", "Протокол"])
    sheet.append(["2", "Семинар для руководителей", "ежеквартально", "-", "ОО", "План"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
