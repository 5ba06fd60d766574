"""`flask needs rebuild` and `flask needs plans`."""

import click
from flask.cli import AppGroup

from app import clock
from app.needs import plans, updates

needs_cli = AppGroup("needs", help="能力画像（掌握程度）。")


@needs_cli.command("rebuild")
@click.option("--person", "person_id", type=int, default=None, help="只重算这个人员（人员编号）。")
@click.option("--rescan", is_flag=True, help="先从全部考试和课后小测的已评分作答重新收集证据（恢复数据库后，或启用本功能前已有作答时）。")
def rebuild(person_id: int | None, rescan: bool):
    """Recompute every mastery state from its evidence, one commit per person (idempotent)."""
    done = updates.rebuild(now=clock.now(), person_id=person_id, rescan=rescan)
    click.echo(f"已重算 {done.people} 人的 {done.states} 项能力掌握程度。")


@needs_cli.command("plans")
@click.option("--person", "person_id", type=int, default=None, help="只生成或更新这个人员（人员编号）的培训计划。")
def make_plans(person_id: int | None):
    """Make or refresh the training plan of everyone with a post (or one person), one commit each."""
    count = plans.refresh_all(now=clock.now(), person_id=person_id)
    click.echo(f"已生成或更新 {count} 人的个人培训计划。")
