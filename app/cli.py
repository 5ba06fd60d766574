"""Command-line tools: `flask demo load`, `flask users create`."""

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from app import clock
from app.auth.passwords import hash_password, password_problems
from app.bank.cli import bank_cli
from app.curriculum.cli import content_cli
from app.extensions import db
from app.models import OrgUnit, Person, RoleGrant

demo_cli = AppGroup("demo", help="示例数据。")
users_cli = AppGroup("users", help="账号管理。")


@demo_cli.command("load")
def demo_load():
    """Load the demo data (safe to run again)."""
    from app.bank.starter import load_starter_banks
    from app.curriculum.assets import content_root
    from app.curriculum.content import ContentError
    from app.curriculum.sync import sync_content
    from app.demo import DEMO_PASSWORD, load_demo
    from app.study.assignments import sync_all

    logins = load_demo()
    root = content_root()
    try:
        report = sync_content(root)
    except ContentError as error:
        raise click.ClickException(f"课程内容有 {len(error.issues)} 个问题，请先运行 flask content check。") from error
    click.echo(f"课程内容：{report.courses.total} 门课程、{report.lessons.total} 个课时、{report.syllabi.total} 份培训大纲。")
    banks = load_starter_banks(root / "banks")
    click.echo("起步题库：" + "，".join(f"{code} 新增或更新 {n} 题" for code, n in banks.items()))
    created = sync_all(today=clock.today())
    click.echo(f"培训任务：按培训大纲新建 {created} 项。")
    click.echo(f"示例数据已就绪。示例账号（密码均为 {DEMO_PASSWORD}）：")
    for staff_no, name, roles in logins:
        click.echo(f"  {staff_no:<10} {name}（{roles}）")


@users_cli.command("create")
@click.option("--staff-no", prompt="工号", help="登录用的工号")
@click.option("--name", prompt="姓名")
@click.option("--unit", "unit_name", prompt="单位名称（不存在则新建为顶级单位）")
@click.option("--password", prompt="初始密码", hide_input=True, confirmation_prompt=True)
def users_create(staff_no: str, name: str, unit_name: str, password: str):
    """Create a global admin who must change the password at first login."""
    problems = password_problems(password)
    if problems:
        raise click.ClickException(" ".join(problems))
    if db.session.scalar(select(Person).where(Person.staff_no == staff_no)):
        raise click.ClickException(f"工号“{staff_no}”已存在。")
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.name == unit_name).order_by(OrgUnit.depth))
    if unit is None:
        unit = OrgUnit(name=unit_name)
        db.session.add(unit)
        db.session.flush()
        unit.path = f"/{unit.id}/"
    person = Person(staff_no=staff_no, name=name, unit_id=unit.id, password_hash=hash_password(password),
                    must_change_password=True, roles=[RoleGrant(role="admin")])
    db.session.add(person)
    db.session.commit()
    click.echo(f"已创建全局管理员 {name}（工号 {staff_no}），首次登录须修改密码。")


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(content_cli)
    app.cli.add_command(bank_cli)
