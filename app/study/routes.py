"""The trainee's study pages and the lesson page's study-clock calls (own data only)."""

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import clock
from app.study import assignments, bp, pages, quiz, timing
from app.study.settings import setting


@bp.get("/")
@login_required
def my_learning():
    year = request.args.get("year", type=int)
    overview = pages.my_learning(current_user.id, today=clock.today(), year=year)
    return render_template("study/my_learning.html", overview=overview)


@bp.post("/sync")
@login_required
def sync_mine():
    created = assignments.sync_assignments(current_user.id, today=clock.today(), actor_id=current_user.id)
    flash(f"已按岗位培训大纲更新培训任务，新增 {created} 项。" if created else "培训任务已是最新。", "success")
    return redirect(url_for("study.my_learning"))


@bp.get("/courses/<int:course_id>")
@login_required
def course(course_id: int):
    item = pages.course_view(current_user.id, course_id, today=clock.today())
    return render_template("study/course.html", item=item)


@bp.get("/lessons/<int:lesson_id>")
@login_required
def lesson(lesson_id: int):
    page = pages.lesson_view(current_user.id, lesson_id)
    timing = {"heartbeat": setting("STUDY_HEARTBEAT_SECONDS"), "idle": setting("STUDY_IDLE_SECONDS")}
    return render_template("study/lesson.html", page=page, timing=timing)


@bp.post("/lessons/<int:lesson_id>/start")
@login_required
def lesson_start(lesson_id: int):
    token = timing.start_lesson(current_user.id, lesson_id, now=clock.now())
    return jsonify(token=token)


@bp.post("/lessons/<int:lesson_id>/beat")
@login_required
def lesson_beat(lesson_id: int):
    beat = timing.heartbeat(current_user.id, lesson_id, request.form.get("token", ""), now=clock.now(),
                           cap=setting("STUDY_HEARTBEAT_CAP_SECONDS"))
    return jsonify(active=beat.active, credited=beat.credited, seconds=beat.seconds, completed=beat.completed)


@bp.get("/lessons/<int:lesson_id>/quiz")
@login_required
def lesson_quiz(lesson_id: int):
    page = quiz.quiz_page(current_user.id, lesson_id, now=clock.now())
    limits = {name: setting(name) for name in ("QUIZ_MAX_FAILED_TRIES", "QUIZ_RETRY_WAIT_MINUTES",
                                                "QUIZ_RETRY_STUDY_MINUTES")}
    return render_template("study/quiz.html", page=page, pass_percent=setting("STUDY_QUIZ_PASS_PERCENT"),
                           limits=limits)


@bp.post("/lessons/<int:lesson_id>/quiz/start")
@login_required
def lesson_quiz_start(lesson_id: int):
    quiz.start_quiz(current_user.id, lesson_id, now=clock.now())
    return redirect(url_for("study.lesson_quiz", lesson_id=lesson_id))


@bp.post("/lessons/<int:lesson_id>/quiz")
@login_required
def lesson_quiz_submit(lesson_id: int):
    result = quiz.submit_quiz(current_user.id, lesson_id, request.form.get("attempt_id", type=int),
                              request.form.to_dict(flat=False), now=clock.now())
    return render_template("study/quiz_result.html", result=result)
