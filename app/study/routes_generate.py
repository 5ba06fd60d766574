"""The admin's button 按培训大纲生成培训任务 (POST, in the admin's scope only)."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from app import clock
from app.auth.scope import current_scope, role_required
from app.study import bp, generate

# Where the button may send the admin back to (a fixed list: never a URL from the form).
BACK = {"home": "main.index", "compliance": "study.admin_compliance", "assignments": "study.admin_assignments"}


@bp.post("/admin/assignments/generate")
@role_required("admin")
def admin_generate():
    done = generate.generate_in_scope(current_user.id, current_scope(), today=clock.today())
    if done.created:
        flash(f"已按岗位培训大纲核对 {done.people} 名在岗人员，新生成 {done.created} 项培训任务。", "success")
    elif done.people:
        flash(f"已核对 {done.people} 名在岗人员：岗位培训大纲要求的培训任务都已生成，没有需要新增的任务。", "info")
    else:
        flash("您管理的单位中没有设置了岗位的在岗人员，没有生成培训任务。请先在“人员管理”中为人员设置岗位。", "warning")
    return redirect(url_for(BACK.get(request.form.get("back", ""), "study.admin_assignments")))
