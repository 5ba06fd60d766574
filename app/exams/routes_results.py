"""After an exam (成绩): the results table with its export and chart, 单位汇总, one attempt in detail."""

import io
import re

from flask import current_app, render_template, request, send_file
from flask_login import login_required

from app import clock
from app.auth.scope import role_required
from app.exams import attempt_detail, bp, results, results_export, results_units
from app.exams.web import viewer
from app.formkit import as_id

BUILDERS = ("instructor", "admin")
UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|]')
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters() -> results.ResultFilter:
    args = request.args
    return results.ResultFilter(unit_id=as_id(args.get("unit_id")), post_id=as_id(args.get("post_id")),
                                status=args.get("status", ""), sort=args.get("sort", "unit"))


@bp.get("/manage/<int:exam_id>/results")
@role_required(*BUILDERS)
def exam_results(exam_id: int):
    page = results.results_page(viewer(), exam_id, _filters(), page=request.args.get("page", 1, type=int),
                                per_page=current_app.config["PER_PAGE"])
    return render_template("exams/results.html", **page, args=request.args)


@bp.get("/manage/<int:exam_id>/results.xlsx")
@role_required(*BUILDERS)
def exam_results_xlsx(exam_id: int):
    exam, data = results_export.export_xlsx(viewer(), exam_id, _filters())
    name = f"成绩-{UNSAFE_IN_NAMES.sub('_', exam.title)}-{clock.today()}.xlsx"
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


@bp.get("/manage/<int:exam_id>/units")
@role_required(*BUILDERS)
def exam_units(exam_id: int):
    return render_template("exams/units.html", **results_units.unit_summary(viewer(), exam_id))


@bp.get("/manage/attempts/<int:attempt_id>")
@login_required  # not role_required: a trainee, even the attempt's own, gets the same 404 as an outsider
def attempt_detail_page(attempt_id: int):
    return render_template("exams/attempt.html",
                           d=attempt_detail.attempt_detail(viewer(), attempt_id, now=clock.now()))
