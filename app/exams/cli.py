"""`flask exams close-overdue`."""

import click
from flask.cli import AppGroup

from app import clock
from app.exams import attempts

exams_cli = AppGroup("exams", help="在线考试。")


@exams_cli.command("close-overdue")
def close_overdue():
    """Grade every attempt past its deadline (and grace) from its last saved answers."""
    closed = attempts.close_overdue(now=clock.now())
    click.echo(f"已收卷 {len(closed)} 份超时未交的答卷。")
