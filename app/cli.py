"""Command-line tools: `flask demo load`, `flask users create|token`, `flask jobs list|run`, `flask exams …`,
`flask reminders send`."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app import clock, scheduler
from app.auth.passwords import password_problems
from app.auth.scope import Scope
from app.bank.cli import bank_cli
from app.curriculum.cli import content_cli
from app.errors import DomainError
from app.exams.cli import exams_cli
from app.extensions import db
from app.needs.cli import needs_cli, reminders_cli
from app.org import people
from app.org import services as org_services
from app.study.cli import study_cli

demo_cli = AppGroup("demo", help="示例数据。")
users_cli = AppGroup("users", help="账号管理。")
jobs_cli = AppGroup("jobs", help="定时任务（生产环境由 celery beat 运行，内嵌模式由应用内的调度线程运行）。")


@demo_cli.command("load")
def demo_load():
    """Load the demo data as of today (once; loading again changes nothing and says so)."""
    from app.curriculum.content import ContentError
    from app.demo import DEMO_PASSWORD, DemoRefused, load_demo

    try:
        loaded = load_demo(clock.today())
    except ContentError as error:
        raise click.ClickException(f"课程内容有 {len(error.issues)} 个问题，请先运行 flask content check。") from error
    except DemoRefused as error:
        raise click.ClickException(error.message) from error
    if loaded.loaded_on:
        click.echo(f"示例数据已在 {loaded.loaded_on} 载入，本次没有改动。")
    for line in loaded.lines:
        click.echo(line)
    click.echo(f"示例数据已就绪。示例账号（密码均为 {DEMO_PASSWORD}）：")
    for staff_no, name, roles in loaded.logins:
        click.echo(f"  {staff_no:<10} {name}（{roles}）")


@users_cli.command("create")
@click.option("--staff-no", prompt="工号", help="登录用的工号")
@click.option("--name", prompt="姓名")
@click.option("--unit", "unit_name", prompt="单位名称（不存在则新建为顶级单位）")
@click.option("--password", prompt="初始密码", hide_input=True, confirmation_prompt=True)
def users_create(staff_no: str, name: str, unit_name: str, password: str):
    """Create a global admin who must change the password at first login (audited, no actor)."""
    # Refuse what would fail before writing anything (the unit may have to be created first).
    problems = password_problems(password, current_app.config["PASSWORD_MIN_LENGTH"])
    if problems:
        raise click.ClickException(" ".join(problems))
    if people.staff_no_taken(staff_no):
        raise click.ClickException(f"工号“{staff_no.strip()}”已存在。")
    everywhere = Scope(None)
    try:
        unit_id = org_services.find_unit_id(unit_name) or org_services.create_unit(
            None, everywhere, parent_id=None, name=unit_name).id
        person, _ = people.create_person(None, everywhere, people.PersonData(staff_no, name, unit_id),
                                         password=password, trainee=False)
        people.grant_role(None, everywhere, person.id, role="admin", scope_unit_id=None)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    click.echo(f"已创建全局管理员 {name}（工号 {staff_no}），首次登录须修改密码。")


@users_cli.command("token")
@click.argument("staff_no")
@click.option("--days", default=90, show_default=True, type=int, help="有效天数")
@click.option("--name", default="命令行创建", show_default=True, help="令牌名称")
def users_token(staff_no: str, days: int, name: str):
    """Print a new API access token for a person (shown once; audited, no actor)."""
    from app.auth.tokens import create_token

    person_id = people.person_id_by_staff_no(staff_no)
    if person_id is None:
        raise click.ClickException(f"工号“{staff_no.strip()}”不存在。")
    try:
        token, text = create_token(person_id, name=name, days=days, actor_id=None, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    click.echo(f"{text}\n（有效至 {clock.to_local(token.expires_at):%Y-%m-%d %H:%M}；只显示这一次，请妥善保存）")


@jobs_cli.command("list")
def jobs_list():
    """List the periodic jobs with their schedules and last in-process runs."""
    last = scheduler.last_runs()
    for job in scheduler.PERIODIC_JOBS:
        run = last.get(job.name)
        when = "尚未由应用内调度运行" if run is None else (
            f"上次应用内运行：{run.due_at:%Y-%m-%d %H:%M} UTC，" + ("失败" if run.error else "完成" if run.finished_at else "进行中")
            + (f"（{run.result}）" if run.result else ""))
        click.echo(f"{job.name:<12} {str(job.schedule).removeprefix('<crontab: ').removesuffix('>')}  {job.help}  {when}")


@jobs_cli.command("run")
@click.argument("name")
def jobs_run(name: str):
    """Run one periodic job now, in this process."""
    job = scheduler.find_job(name)
    if job is None:
        names = "、".join(job.name for job in scheduler.PERIODIC_JOBS)
        raise click.ClickException(f"没有名为“{name}”的定时任务（可用：{names}）。")
    result = scheduler.run_job(job)
    click.echo(f"定时任务 {name} 已运行：{result}")


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(exams_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(content_cli)
    app.cli.add_command(bank_cli)
    app.cli.add_command(study_cli)
    app.cli.add_command(needs_cli)
    app.cli.add_command(reminders_cli)
