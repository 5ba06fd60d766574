"""`flask study assign`, `flask study carry-over` and `flask study recount`."""

import click
from flask.cli import AppGroup

from app import clock
from app.study import assignments, credit_state, ledger, tallies

study_cli = AppGroup("study", help="培训任务与学时。")


@study_cli.command("assign")
@click.option("--year", type=int, default=None, help="按该年度的截止日期下达年度课程（默认：下一个截止日）")
def assign(year: int | None):
    """Create everyone's missing required-course assignments from their post syllabi."""
    created = assignments.sync_all(today=clock.today(), year=year)
    click.echo(f"已新增 {created} 项培训任务。")


@study_cli.command("carry-over")
@click.option("--year", type=int, default=None, help="结转的年度（默认：上一年）")
def carry_over(year: int | None):
    """Move each person's 学时 above the annual requirement into next year's 选修 (idempotent)."""
    year = year or clock.today().year - 1
    written = ledger.carry_over_all(year, now=clock.now())
    click.echo(f"{year} 年学时结转完成：新增 {written} 条结转记录。")


@study_cli.command("recount")
def recount():
    """Rebuild the 培训完成情况 counters from the assignments and the 学时 ledger (idempotent; safe
    while the app runs)."""
    counted = tallies.recount()
    lines = credit_state.recount()
    click.echo(f"已按 {counted} 项培训任务、{lines} 条学时记录重新统计培训完成情况。")
