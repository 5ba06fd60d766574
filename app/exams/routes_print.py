"""Printing (打印): an exam's paper or answer key, and a finished attempt, as PDF downloads."""

import io

from flask import request, send_file
from flask_login import login_required

from app import clock
from app.auth.scope import role_required
from app.exams import bp, printing
from app.exams.web import viewer
from app.extensions import writes_on_read

BUILDERS = ("instructor", "admin")


def _send(printed: printing.PrintedFile):
    response = send_file(io.BytesIO(printed.data), mimetype="application/pdf", as_attachment=True,
                         download_name=printed.name)
    response.headers["Cache-Control"] = "private, no-store"  # a key or a person's answers
    return response


@bp.get("/manage/<int:exam_id>/print")
@role_required(*BUILDERS)
@writes_on_read  # the audit entry of who printed which paper or key
def exam_print(exam_id: int):
    args = request.args
    choice = printing.print_choice(args.get("paper"), args.get("number"), args.get("key"))
    return _send(printing.paper_pdf(viewer(), exam_id, choice, now=clock.now()))


@bp.get("/manage/attempts/<int:attempt_id>/print.pdf")
@login_required  # as 答卷详情: a trainee gets the same 404 as an outsider
@writes_on_read
def attempt_print(attempt_id: int):
    return _send(printing.attempt_pdf(viewer(), attempt_id, now=clock.now()))
