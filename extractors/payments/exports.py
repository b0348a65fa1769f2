"""The data files the platforms export: Alipay's CSV (GBK), WeChat Pay's XLSX and CSV.

All three are a preamble of ``label：value`` lines, a row of column headers, the rows, and (Alipay's web
export) a trailer of totals; the columns are found by their headers (:data:`records.COLUMNS`), never by
position, so a column the platform adds or moves is no misreading.

>>> csv_text = "支付宝交易记录明细查询\\n账号:[a***@163.com]\\n"
>>> csv_text += "起始日期:[2026-06-01 00:00:00]    终止日期:[2026-11-30 23:59:59]\\n"
>>> csv_text += "交易号,交易创建时间,交易对方,商品名称,金额（元）,收/支,交易状态,\\n"
>>> csv_text += "2026113022001\\t,2026-11-30 12:00:01 ,美团 ,外卖 ,35.00 ,支出 ,交易成功 ,\\n"
>>> csv_text += "---\\n共1笔记录\\n已支出:1笔,35.00元\\n"
>>> parsed = parse_csv(csv_text.encode("gb18030"), "alipay_csv")
>>> parsed.rows[0]["amount"].text, parsed.rows[0]["order_id"].text, "已支出" in parsed.footer_text
('35.00', '2026113022001', True)
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal

from extractors.errors import CorruptFile, NotADocument
from extractors.models import Source
from extractors.payments.records import Cell, Parsed, column_of

HEAD_BYTES = 4096
"""Where a platform's export names itself: its first lines."""
MAX_UNPACKED = 64 * 1024 * 1024
"""An XLSX's parts together, unpacked: a year of WeChat Pay bills is a few MB; more is a ZIP bomb."""
MIN_COLUMNS = 4


def decode_text(data: bytes) -> str:
    """A CSV's text: UTF-8 (with or without its BOM, WeChat), else GB18030 (a superset of Alipay's GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CorruptFile("the CSV file is neither UTF-8 nor GBK text")


def head_text(data: bytes) -> str:
    """The first :data:`HEAD_BYTES` as text ("" when they are no text): a character cut at the end is dropped.

    >>> head_text(("微信支付账单明细" * 400).encode("utf-8-sig"))[:8], head_text(b"\\x00\\xff" * 10)
    ('微信支付账单明细', '')
    """
    head = data[:HEAD_BYTES]
    for encoding in ("utf-8-sig", "gb18030"):
        for cut in range(4 if len(data) > HEAD_BYTES else 1):
            try:
                return head[: len(head) - cut].decode(encoding)
            except UnicodeDecodeError:
                continue
    return ""


def _header_index(rows: Sequence[Sequence[str]]) -> int | None:
    for i, row in enumerate(rows):
        names = [column_of(c) for c in row]
        if "datetime" in names and "amount" in names and sum(1 for n in names if n) >= MIN_COLUMNS:
            return i
    return None


def _table(rows: list[list[str]], form: str, source: Source) -> Parsed:
    start = _header_index(rows)
    if start is None:
        raise NotADocument(f"the {form.split('_')[0]} export has no row of column headers "
                           "(交易时间, 金额, …): it is not a transaction record")
    names = [column_of(c) for c in rows[start]]
    body: list[dict[str, Cell]] = []
    end = len(rows)
    for i in range(start + 1, len(rows)):
        row = rows[i]
        filled = [c for c in row if c.strip()]
        if not filled or filled[0].strip().startswith("-") or len(filled) < MIN_COLUMNS:
            end = i
            break
        cells = {name: Cell(text=row[j].strip()) for j, name in enumerate(names) if name and j < len(row)}
        body.append(cells)
    header = "\n".join(",".join(r) for r in rows[:start])
    footer = "\n".join(",".join(r) for r in rows[end:])
    return Parsed(form=form, header_text=header, rows=body, source=source, footer_text=footer)


def parse_csv(data: bytes, form: str) -> Parsed:
    text = decode_text(data)
    rows = [list(r) for r in csv.reader(io.StringIO(text))]
    return _table(rows, form, Source.FILE)


def is_xlsx(data: bytes) -> zipfile.ZipFile | None:
    """The file as a ZIP when it is an Office Open XML workbook, else None; never unpacks more than the
    directory."""
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None
    return archive if "xl/workbook.xml" in names else None


def workbook_holds(archive: zipfile.ZipFile, word: str, limit: int = 256 * 1024) -> bool:
    """Whether the workbook's text — its shared strings, or the strings written into its first sheet (as
    some writers do) — contains ``word`` within the first ``limit`` bytes of each part."""
    names = set(archive.namelist())
    sheets = sorted(n for n in names if n.startswith("xl/worksheets/sheet") and n.endswith(".xml"))
    for name in [n for n in ("xl/sharedStrings.xml",) if n in names] + sheets[:1]:
        with archive.open(name) as f:
            text = f.read(limit).decode("utf-8", "replace")
        if word in text or word in html.unescape(text):  # lxml-based writers escape CJK as &#NNNNN;
            return True
    return False


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float | int) and not isinstance(value, bool):
        return str(Decimal(str(value)))
    return str(value)


def parse_xlsx(data: bytes, form: str) -> Parsed:
    archive = is_xlsx(data)
    if archive is None:
        raise CorruptFile("the spreadsheet's ZIP directory cannot be read")
    unpacked = sum(i.file_size for i in archive.infolist())
    if unpacked > MAX_UNPACKED:
        raise CorruptFile(f"the spreadsheet unpacks to {unpacked} bytes; a bill export is a few MB")
    import openpyxl  # only the worker reads spreadsheets

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise CorruptFile(f"the spreadsheet cannot be opened ({type(exc).__name__})") from exc
    try:
        sheet = book.worksheets[0]
        rows = [[_text(v) for v in row] for row in _limited(sheet.iter_rows(values_only=True))]
    finally:
        book.close()
    return _table(rows, form, Source.FILE)


MAX_ROWS = 100_000


def _limited(rows: Iterable[tuple[object, ...]]) -> Iterable[tuple[object, ...]]:
    for i, row in enumerate(rows):
        if i >= MAX_ROWS:
            raise CorruptFile(f"the spreadsheet has more than {MAX_ROWS} rows")
        yield row
