"""Bytes → a grid of text cells, whatever the file really is (CSV in any usual encoding
and separator, or XLSX with merged header cells), or a clear file-level problem."""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

import pandas as pd

from analytics.importer.bounds import MAX_COLUMNS, check_csv, survey_xlsx
from analytics.importer.encodings import decode, utf16_without_bom
from analytics.importer.issues import FileProblem

HEADER_SCAN_ROWS = 15


@dataclass
class Grid:
    """All cells as text (None when empty); ``cells.index`` is the row number in the file (1-based)."""
    cells: pd.DataFrame
    file_format: str            # csv | xlsx
    encoding: str | None = None
    separator: str | None = None
    sheet: str | None = None
    notes: list = field(default_factory=list)     # (code, params): worth saying, not blocking


_MAGIC = (
    (b"%PDF", "pdf"), (b"\xd0\xcf\x11\xe0", "xls"), (b"\x89PNG", "image"), (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"), (b"Rar!", "archive"), (b"\x1f\x8b", "archive"), (b"7z\xbc\xaf", "archive"),
    (b"{\\rtf", "rtf"),
)


def sniff_format(data: bytes) -> str:
    """What the bytes are, regardless of the file name: xlsx | csv | pdf | xls | ods | docx | …"""
    head = data[:8]
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return "archive"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names:
            return "docx"
        if "content.xml" in names and "mimetype" in names:
            return "ods"
        return "archive"
    text_head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    if text_head[:5].lower() in (b"<html", b"<!doc", b"<tabl") or text_head.startswith(b"<?xml"):
        return "html"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16_without_bom(data):
        return "csv"
    if b"\x00" in data[:4096]:
        return "binary"
    return "csv"


def read_grid(data: bytes, max_rows: int | None = None) -> Grid:
    fmt = sniff_format(data)
    if fmt == "xlsx":
        return _read_xlsx(data)
    if fmt == "csv":
        return _read_csv(data, max_rows)
    raise FileProblem("not_a_table", detected=fmt)


# -- CSV --------------------------------------------------------------------------------
def sniff_separator(lines: list[str]) -> str:
    """The separator that splits the first lines into the most, and a consistent number of, fields."""
    best, best_score = ";", (-1, 0)
    sample = [line for line in lines if line.strip()][:HEADER_SCAN_ROWS]
    for separator in (";", "\t", ","):
        widths = [len(row) for row in csv.reader(sample, delimiter=separator)]
        widths = [w for w in widths if w >= 2]      # a title line has no separators at all
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        score = (widths.count(common), common)
        if score > best_score:
            best, best_score = separator, score
    return best


def csv_layout(text: str) -> tuple[str, int]:
    """Separator and number of columns, from the first lines of the (whole or first part of the) text."""
    head_lines = text[:200_000].splitlines()[:200]
    try:
        separator = sniff_separator(head_lines)
        width = max((len(r) for r in csv.reader(head_lines[:-1] or head_lines, delimiter=separator)), default=1)
    except csv.Error:                       # a field longer than the csv module's limit
        raise FileProblem("long_line", line="—", kb=">128", limit_kb=128) from None
    if width > MAX_COLUMNS:
        raise FileProblem("too_many_columns", columns=width, limit=MAX_COLUMNS)
    return separator, width


def _read_csv(data: bytes, max_rows: int | None) -> Grid:
    check_csv(data)                     # bounded, before decoding or splitting anything
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError:
        raise FileProblem("bad_encoding") from None
    if not text.strip():
        raise FileProblem("empty_file")
    separator, width = csv_layout(text)
    return grid_from_text(text, encoding, separator, width, max_rows)


def grid_from_text(text: str, encoding: str, separator: str, width: int, max_rows: int | None = None) -> Grid:
    """The grid of decoded CSV text (``max_rows``: only the first rows, e.g. to find the header)."""
    frame = _read_csv_fast(text, separator, width) if max_rows is None else None
    if frame is None:
        try:
            frame = pd.read_csv(io.StringIO(text), sep=separator, header=None, names=range(width), dtype=str,
                                keep_default_na=False, na_filter=False, skip_blank_lines=False, engine="c",
                                quotechar='"', nrows=max_rows)
        except pd.errors.ParserError as error:
            raise FileProblem("bad_csv", detail=_parser_detail(str(error))) from None
        frame = frame.replace("", None)
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return Grid(frame, "csv", encoding=encoding, separator=separator)


def _read_csv_fast(text: str, separator: str, width: int) -> pd.DataFrame | None:
    """Arrow's multi-threaded reader for the usual machine export (every line the same width,
    no line breaks inside cells); None when the file is irregular (the pandas reader then
    handles short title/total lines and reports ragged rows)."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    names = [str(i) for i in range(width)]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pa_csv.ParseOptions(delimiter=separator, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types={n: pa.string() for n in names}, null_values=[""],
                                                  strings_can_be_null=True, quoted_strings_can_be_null=True))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    frame = table.to_pandas()
    frame.columns = range(width)
    if len(frame) != text.count("\n") + (0 if text.endswith("\n") else 1):
        return None          # line count differs (e.g. a line break inside a cell): numbering would drift
    return frame


def _parser_detail(message: str) -> str:
    # "Error tokenizing data. C error: Expected 5 fields in line 12, saw 7" → "line 12 …"
    return message.split("C error:")[-1].strip()


# -- XLSX -------------------------------------------------------------------------------
def _cell_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    text = str(value)
    return text if text.strip() else None


def _read_xlsx(data: bytes) -> Grid:
    from openpyxl import load_workbook     # heavy: loaded only when an XLSX file comes

    survey = survey_xlsx(data)              # bounded, before openpyxl builds anything
    with_data = [s for s in survey.sheets if s.cells]
    visible = [s for s in with_data if s.state == "visible"]
    hidden = [s for s in with_data if s.state != "visible"]
    if not visible and hidden:
        raise FileProblem("xlsx_hidden_only", sheets=", ".join(f"«{s.name}»" for s in hidden))
    notes = [("hidden_sheet", {"sheet": s.name}) for s in hidden]
    chosen = next((s for s in visible if s.max_row > 1), visible[0] if visible else None)
    if chosen is None:
        raise FileProblem("empty_file")
    notes += [("other_sheet", {"sheet": s.name, "used": chosen.name}) for s in visible if s is not chosen]
    try:
        # Read-only: rows stream from the sheet XML, no cell objects are kept (bounds.py counted them).
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook[chosen.name]
        rows = [[_cell_text(v) for v in row]
                for row in sheet.iter_rows(min_row=1, max_row=chosen.max_row, max_col=chosen.max_col,
                                           values_only=True)]
    except FileProblem:
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise FileProblem("bad_xlsx", detail=type(error).__name__) from None
    # Merged cells: every cell of a merged range shows the top-left value (header rows).
    for min_row, min_col, max_row, max_col in chosen.merges:
        if min_row > HEADER_SCAN_ROWS or max_row > len(rows) or max_col > chosen.max_col:
            continue
        value = rows[min_row - 1][min_col - 1]
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                rows[r - 1][c - 1] = value
    workbook.close()
    if not rows:
        raise FileProblem("empty_file")
    frame = pd.DataFrame(rows, dtype=object)
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return Grid(frame, "xlsx", sheet=chosen.name, notes=notes)
