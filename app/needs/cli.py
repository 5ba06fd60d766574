"""`flask needs rebuild`, `flask needs recount`, `flask needs plans`, `flask reminders send`."""

import click
from flask.cli import AppGroup

from app import clock
from app.needs import ledger_updates, plans, reminders, updates

needs_cli = AppGroup("needs", help="能力画像（掌握程度）。")
reminders_cli = AppGroup("reminders", help="催学提醒（每天由定时任务 reminders 发送）。")


@needs_cli.command("rebuild")
@click.option("--person", "person_id", type=int, default=None, help="只重算这个人员（人员编号）。")
@click.option("--rescan", is_flag=True, help="先从全部考试和课后小测的已评分作答重新收集证据（恢复数据库后，或启用本功能前已有作答时）。")
def rebuild(person_id: int | None, rescan: bool):
    """Recompute every mastery state from its evidence, one commit per person (idempotent)."""
    done = updates.rebuild(now=clock.now(), person_id=person_id, rescan=rescan)
    click.echo(f"已重算 {done.people} 人的 {done.states} 项能力掌握程度。")


@reminders_cli.command("send")
@click.option("--days", type=click.IntRange(0, 366), default=None,
              help="提醒多少天内到期的培训任务（默认按配置 REMINDER_DUE_DAYS，7 天）。")
def send(days: int | None):
    """Send today's reminders and the admins' digests now (idempotent within a day)."""
    run = reminders.send_reminders(now=clock.now(), due_days=days)
    click.echo(f"{run.day}：检查 {run.people} 人，发出培训任务提醒 {run.assignment} 条、考试提醒 {run.exam} 条、"
               f"管理员汇总 {run.digest} 条；邮件发送 {run.mail_sent} 封，失败 {run.mail_failed} 封。")

@needs_cli.command("recount")
def recount():
    """Rebuild the 三本台账's rows and counters from people, syllabi and mastery (idempotent)."""
    people = ledger_updates.recount()
    click.echo(f"已重算三本台账：{people} 人有岗位能力要求。")


@needs_cli.command("plans")
@click.option("--person", "person_id", type=int, default=None, help="只生成或更新这个人员（人员编号）的培训计划。")
def make_plans(person_id: int | None):
    """Make or refresh the training plan of everyone with a post (or one person), one commit each."""
    count = plans.refresh_all(now=clock.now(), person_id=person_id)
    click.echo(f"已生成或更新 {count} 人的个人培训计划。")
