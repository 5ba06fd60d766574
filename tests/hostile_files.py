"""Hostile upload files built in memory: small on disk, huge once read naively.

Pure (openpyxl and zipfile only), so the question_bank unit tests and the functional tests share them.
"""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"


def xlsx(rows, *, dimension: str | None = None, extra_rows_xml: str = "") -> bytes:
    """An xlsx of `rows` on its first sheet; optionally a false <dimension> and raw rows appended."""
    book = Workbook()
    for cells in rows:
        book.active.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    if dimension is None and not extra_rows_xml:
        return buffer.getvalue()
    return _rewrite_sheet(buffer.getvalue(), dimension, extra_rows_xml)


def _rewrite_sheet(data: bytes, dimension: str | None, extra_rows_xml: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == SHEET:
                xml = content.decode()
                if dimension:
                    xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>', xml)
                if "<sheetData/>" in xml:
                    xml = xml.replace("<sheetData/>", "<sheetData></sheetData>")
                xml = xml.replace("</sheetData>", extra_rows_xml + "</sheetData>")
                content = xml.encode()
            target.writestr(info, content)
    return out.getvalue()


def dimension_bomb(header) -> bytes:
    """About 5 KB: declares A1:XFD1048576 (16,384 × 1,048,576 cells) and has one cell far away."""
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return xlsx([header], dimension="A1:XFD1048576", extra_rows_xml=far)


def far_column(header, first_row) -> bytes:
    """A header and one data row, plus a lone filled cell in the last column (XFD) of row 2."""
    far = '<row r="3"><c r="XFD3" t="inlineStr"><is><t>远处的格子</t></is></c></row>'
    return xlsx([header, first_row], extra_rows_xml=far)


def long_cells(header, *, rows: int = 100, columns: int = 30, chars: int = 100_000) -> bytes:
    """rows × columns cells of `chars` characters each (3,000 × 100,000 by default) under a
    header: all one shared string, so the file is a few KB while a naive reader would hold, and
    a naive import store, 300 million characters."""
    cells = "".join(f'<c r="{_letter(col)}{{row}}" t="s"><v>0</v></c>' for col in range(1, columns + 1))
    body = "".join(f'<row r="{row}">{cells.format(row=row)}</row>' for row in range(2, rows + 2))
    return shared_strings_xlsx(header, body, ["长" * chars])


def shared_strings_xlsx(header, rows_xml: str, strings: list[str]) -> bytes:
    """A minimal .xlsx written by hand: an inline-string header row, `rows_xml`, and a shared
    string table (openpyxl itself writes inline strings and cuts them at 32,767 characters)."""
    head = "".join(f'<c r="{_letter(col)}1" t="inlineStr"><is><t>{name}</t></is></c>'
                   for col, name in enumerate(header, start=1))
    sheet = (f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{head}</row>{rows_xml}</sheetData></worksheet>')
    table = "".join(f"<si><t>{text}</t></si>" for text in strings)
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
        "_rels/.rels": _rels(("rId1", "officeDocument", "xl/workbook.xml")),
        "xl/workbook.xml": (f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
                            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": _rels(("rId1", "worksheet", "worksheets/sheet1.xml"),
                                            ("rId2", "sharedStrings", "sharedStrings.xml")),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">{table}</sst>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, xml in parts.items():
            package.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + xml)
    return out.getvalue()


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _rels(*links) -> str:
    items = "".join(f'<Relationship Id="{rid}" Type="{REL}/{kind}" Target="{target}"/>' for rid, kind, target in links)
    return f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{items}</Relationships>'


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def styled_blank_rows(header, count: int) -> bytes:
    """A header, then `count` empty rows that only carry a height (what formatting whole rows leaves)."""
    blank = "".join(f'<row r="{n}" ht="20" customHeight="1"/>' for n in range(2, count + 2))
    return xlsx([header], extra_rows_xml=blank)
