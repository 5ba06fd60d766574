"""Migration 0013 gives roster import batches their progress, counts, errors and preview columns:
batches previewed before it keep their rows and get their row count; one with errors (never stored)
says to upload the file again. The downgrade drops the columns and keeps the rows."""

import json

from flask_migrate import downgrade
from sqlalchemy import inspect, text

from app.extensions import db
from tests.integration.test_migrations import _ROWS_BEFORE_0005, _upgrade_over_rows

ROWS = json.dumps([{"工号": "A1", "姓名": "甲", "单位": "一大队", "_row": 2},
                   {"工号": "A2", "姓名": "乙", "单位": "一大队", "_row": 3}], ensure_ascii=False)
INSERT = ("INSERT INTO roster_import (id, created_by_id, created_at, filename, rows, status)"
          " VALUES ({id}, 1, '2026-11-01 00:00:00', 'r.xlsx', '{rows}', '{status}')")
BATCHES = _ROWS_BEFORE_0005[:2] + [INSERT.format(id=batch_id, rows=ROWS, status=status)
                                   for batch_id, status in ((1, "previewed"), (2, "invalid"), (3, "imported"))]
NEW = {"progress_done", "progress_total", "row_count", "errors", "error_count", "people"}


def test_0013_counts_the_rows_of_earlier_batches_and_its_downgrade_keeps_them(app):
    directory = _upgrade_over_rows(app, before="0011", rows=BATCHES, to="0013")
    with db.engine.connect() as conn:
        found = conn.execute(text("SELECT id, status, row_count, error_count, errors, people, progress_done"
                                  " FROM roster_import ORDER BY id")).all()
    decoded = [(i, s, n, e, json.loads(errors) if isinstance(errors, str) else errors,
                json.loads(people) if isinstance(people, str) else people, done)
               for i, s, n, e, errors, people, done in found]
    assert [(row[0], row[1], row[2], row[3], row[5], row[6]) for row in decoded] == [
        (1, "previewed", 2, 0, [], 0), (2, "invalid", 2, 1, [], 0), (3, "imported", 2, 0, [], 0)]
    assert decoded[0][4] == [] and "请重新上传文件" in decoded[1][4][0]["message"]
    downgrade(directory=directory, revision="0011")
    columns = {column["name"] for column in inspect(db.engine).get_columns("roster_import")}
    assert not columns & NEW
    with db.engine.connect() as conn:
        kept = conn.execute(text("SELECT rows FROM roster_import WHERE id = 1")).scalar()
    assert [row["工号"] for row in (json.loads(kept) if isinstance(kept, str) else kept)] == ["A1", "A2"]
