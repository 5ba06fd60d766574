"""`flask exams close-overdue`, `flask exams item-stats`, `flask exams wrong-book-release`."""

import click
from flask.cli import AppGroup

from app import clock
from app.exams import analysis, attempts, wrong_book

exams_cli = AppGroup("exams", help="在线考试。")


@exams_cli.command("close-overdue")
def close_overdue():
    """Grade every attempt past its deadline (and grace) from its last saved answers."""
    closed = attempts.close_overdue(now=clock.now())
    click.echo(f"已收卷 {len(closed)} 份超时未交的答卷。")


@exams_cli.command("item-stats")
@click.option("--exam", "exam_id", type=int, help="只统计这一场考试（默认：答卷有变化的所有考试）。")
def item_stats(exam_id: int | None):
    """Store the measured facility of the questions of changed exams (or of one exam)."""
    if exam_id is not None:
        found = analysis.store(exam_id, now=clock.now())
        click.echo(f"已按 {found.analysed} 份答卷更新试题统计。")
        return
    done = analysis.refresh_changed(now=clock.now())
    click.echo(f"已更新 {len(done)} 场考试的试题统计。")


@exams_cli.command("wrong-book-release")
def wrong_book_release():
    """Enter into the 错题本 the answers of attempts whose review policy shows them by now (idempotent)."""
    applied = wrong_book.release_due(now=clock.now())
    click.echo(f"已将 {len(applied)} 份答卷的错题记入错题本。")
