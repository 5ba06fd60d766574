"""`flask bank import` and `flask bank export`."""

from pathlib import Path

import click
from flask.cli import AppGroup

from app.auth.scope import Scope
from app.bank import batch, exports
from app.bank.browse import Filters
from app.bank.categories import find_path
from app.errors import DomainError
from app.extensions import db
from question_bank.formats import FORMATS

bank_cli = AppGroup("bank", help="题库导入导出。")
FORMAT_CHOICE = click.Choice(sorted(FORMATS))


def _split(path: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (path or "").split("/") if part.strip())


class _Bar:
    """A click progress bar that appears only once a large file reports its size."""

    def __init__(self):
        self.bar = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None and total > 1000:
            self.bar = click.progressbar(length=total, label="正在解析")
            self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(done - self.done)
            self.done = done

    def close(self):
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@bank_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=FORMAT_CHOICE, help="文件格式（默认按扩展名识别）")
@click.option("--category", help="导入到的分类路径，如“辅警/道路交通安全法规”（默认用文件中的分类）")
@click.option("--dry-run", is_flag=True, help="只检查，不写入数据库")
@click.option("--skip-invalid", is_flag=True, help="导入有效题目，跳过有问题的")
@click.option("--owner-unit-id", type=int, help="新建分类所属单位的 id（默认不属于任何单位）")
def import_command(path: Path, fmt, category, dry_run, skip_invalid, owner_unit_id):
    """Import a question file; duplicates of existing questions are skipped."""
    bar = _Bar()
    try:
        report = batch.import_bytes(path.name, path.read_bytes(), fmt=fmt, category_path=_split(category),
                                    owner_unit_id=owner_unit_id, skip_invalid=skip_invalid,
                                    dry_run=dry_run, progress=bar)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    finally:
        bar.close()
    for line in report.errors:
        click.echo(line, err=True)
    if report.duplicates:
        click.echo(f"有 {report.duplicates} 题与题库中已有试题重复，已跳过（保留原题）。")
    click.echo(report.summary + ("（试运行，未写入数据库）" if dry_run else ""))
    if not report.imported:
        raise click.ClickException("没有导入任何试题：" + ("文件中有错误，可加 --skip-invalid 跳过有问题的题目。"
                                   if report.errors else "没有找到可导入的新试题。"))


@bank_cli.command("export")
@click.option("--format", "fmt", type=FORMAT_CHOICE, required=True, help="导出格式")
@click.option("--category", help="只导出该分类（含下级）")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(fmt, category, out: Path):
    """Export questions (all, or one category subtree) to a file."""
    try:
        found = find_path(_split(category)) if category else None
        filters = Filters(category_id=found.id if found else None)
        result = exports.export_selection(Scope(None), filters, fmt)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    finally:
        db.session.rollback()
    out.write_bytes(result.content)
    for reason in result.skipped:
        click.echo(f"跳过：{reason}", err=True)
    click.echo(f"已导出 {result.count} 题到 {out}" + (f"，跳过 {len(result.skipped)} 题" if result.skipped else ""))
