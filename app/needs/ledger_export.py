"""The 三本台账 as xlsx files (openpyxl, write-only), with unit paths as `org.labels` gives them.
Nothing is changed, so nothing is audited (as the 成绩 and 培训任务 exports)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from app.auth.scope import Scope
from app.models.curriculum import Level
from app.needs.ledgers import organisation_ledger, post_ledger
from app.needs.person_ledger import PersonFilter, all_people, person_rows
from app.org.labels import unit_labels
from app.org.services import units_in_scope

FIGURES = (("有要求人数", 12), ("未达标人数", 12), ("待评估人数", 12), ("平均差距（级）", 14), ("未达标比例", 12))
PEOPLE = (("工号", 14), ("姓名", 12), ("单位", 36), ("岗位", 16), ("要求项数", 10), ("差距项数", 10),
          ("待评估项数", 10), ("差距（要求 → 当前）", 60), ("培训计划（已完成/项数）", 14))


def _book(title: str, columns) -> tuple[Workbook, object]:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for index, (_name, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([name for name, _width in columns])
    return book, sheet


def _text(sheet, value: str):
    """Text stays text: a leading = must not become a formula."""
    if not value or not value.startswith("="):
        return value or None
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


def _figures(figures) -> list:
    return [figures.people, figures.below, figures.unknown, figures.average_gap, f"{figures.below_rate}%"]


def _saved(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def organisation_xlsx(scope: Scope, unit_id: int | None) -> bytes:
    ledger = organisation_ledger(scope, unit_id)
    book, sheet = _book("组织台账", (("能力项", 30), *FIGURES))
    for row in ledger.rows:
        sheet.append([_text(sheet, row.name), *_figures(row.figures)])
    return _saved(book)


def posts_xlsx(scope: Scope, unit_id: int | None) -> bytes:
    ledger = post_ledger(scope, unit_id)
    book, sheet = _book("岗位台账", (("岗位", 20), ("能力项", 30), ("岗位要求", 10), *FIGURES))
    for group in ledger.posts:
        for row in group.rows:
            sheet.append([_text(sheet, group.name), _text(sheet, row.name),
                          Level(row.target).label if row.target else "", *_figures(row.figures)])
    return _saved(book)


def people_xlsx(scope: Scope, filters: PersonFilter) -> bytes:
    people = all_people(scope, filters)
    labels = unit_labels(scope, units_in_scope(scope))
    book, sheet = _book("人员台账", PEOPLE)
    for start in range(0, len(people), 1000):
        for row in person_rows(people[start:start + 1000]):
            person = row.person
            sheet.append([_text(sheet, person.staff_no), _text(sheet, person.name),
                          _text(sheet, labels.get(person.unit_id, "")), _text(sheet, row.post_name),
                          row.targets, len(row.gaps), len(row.unknown),
                          _text(sheet, "；".join(item.text for item in row.gaps)), row.plan_text])
    return _saved(book)
