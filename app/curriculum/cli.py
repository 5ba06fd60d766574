"""`flask content check` and `flask content sync`: validate and load the course_content directory."""

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.curriculum.assets import content_root
from app.curriculum.content import ContentError, format_issue, load_tree

content_cli = AppGroup("content", help="课程内容（course_content 目录）。")


@content_cli.command("check")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="课程内容目录，默认为仓库中的 course_content。")
def content_check(root: Path | None):
    """Check the course content and list every issue."""
    root = root or content_root(current_app)
    try:
        tree = load_tree(root)
    except ContentError as error:
        _fail(error)
    posts = sum(len(workforce.posts) for workforce in tree.workforces)
    click.echo(f"检查通过：{len(tree.workforces)} 支队伍、{posts} 个岗位、{len(tree.competencies)} 个能力项、"
               f"{len(tree.syllabi)} 份培训大纲、"
               f"{len(tree.courses)} 门课程、{tree.lesson_count} 个课时")


def _fail(error: ContentError):
    for issue in error.issues:
        click.echo(format_issue(issue))
    click.echo(f"发现 {len(error.issues)} 个问题")
    sys.exit(1)


@content_cli.command("sync")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="课程内容目录，默认为仓库中的 course_content。")
@click.option("--force", is_flag=True, help="覆盖在网页上编辑过的课程。")
def content_sync(root: Path | None, force: bool):
    """Validate the course content, then write it to the database (nothing if invalid)."""
    from app.curriculum.sync import sync_content

    try:
        report = sync_content(root or content_root(current_app), force=force)
    except ContentError as error:
        click.echo("课程内容有问题，数据库未做任何修改：")
        _fail(error)
    for line in report.lines():
        click.echo(line)


def init_app(app: Flask) -> None:
    """Register the `flask content` commands."""
    app.cli.add_command(content_cli)
