"""The 成绩 table as an xlsx file: every row the page's filters select (not only one page), in the
page's order, with full unit paths (the file leaves the page's context), written by openpyxl in
write-only mode. Nothing is changed, so nothing is audited (as the 培训任务 export).
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from app import clock
from app.exams.access import Viewer
from app.exams.results import ResultFilter, select_rows
from app.models import Exam, OrgUnit
from app.trees import full_names

COLUMNS = (("工号", 14), ("姓名", 12), ("单位", 36), ("岗位", 16), ("结果", 10), ("得分", 8), ("满分", 8),
           ("作答次数", 10), ("交卷时间", 18), ("交卷方式", 30), ("切屏次数", 10), ("切屏超限", 10))


def _text(sheet, value: str) -> WriteOnlyCell | str | None:
    """Text stays text: a leading = must not become a formula."""
    if not value:
        return None
    if not value.startswith("="):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


def export_xlsx(viewer: Viewer, exam_id: int, filters: ResultFilter) -> tuple[Exam, bytes]:
    """The exam and the xlsx bytes of its results as the page's filters select them."""
    chosen = select_rows(viewer, exam_id, filters)
    paths, posts = full_names(OrgUnit, chosen.units.every), chosen.posts
    book = Workbook(write_only=True)
    sheet = book.create_sheet("成绩")
    for index, (_name, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([name for name, _width in COLUMNS])
    moment = "yyyy-mm-dd hh:mm"
    for row in chosen.shown:
        submitted = None
        if row.submitted_at:
            submitted = WriteOnlyCell(sheet, clock.to_local(row.submitted_at))
            submitted.number_format = moment
        sheet.append([_text(sheet, row.staff_no), _text(sheet, row.name), _text(sheet, paths.get(row.unit_id, "")),
                      _text(sheet, posts.get(row.post_id, "")), row.status_label,
                      row.score / 100 if row.score is not None else None,
                      row.max_score / 100 if row.attempt_id else None, row.attempts, submitted,
                      row.submitted_by_label, row.switches if row.attempt_id else None,
                      "是" if row.flagged else ""])
    buffer = io.BytesIO()
    book.save(buffer)
    return chosen.exam, buffer.getvalue()
