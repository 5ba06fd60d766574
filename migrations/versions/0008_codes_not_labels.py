"""codes, not labels: English codes for the kinds and statuses stored in Chinese; import progress columns

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 05:00:00

course.kind, training_class.kind and credit_entry.kind (必修/选修) become required/elective;
training_class.status (草稿/已发布/已结束) becomes draft/published/closed. The labels now come from
the enums beside the models (app/codes.py). A question import batch kept its parse progress inside
its status ("parsing:40"); it now has progress_done/progress_total and the status "parsing".
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

KINDS = {"必修": "required", "选修": "elective"}
CLASS_STATUSES = {"草稿": "draft", "已发布": "published", "已结束": "closed"}
COLUMNS = [("course", "kind", KINDS), ("training_class", "kind", KINDS), ("credit_entry", "kind", KINDS),
           ("training_class", "status", CLASS_STATUSES)]


def _recode(table: str, column: str, mapping: dict[str, str]) -> None:
    update = sa.text(f"UPDATE {table} SET {column} = :new WHERE {column} = :old")  # noqa: S608 - fixed names
    for old, new in mapping.items():
        op.execute(update.bindparams(old=old, new=new))


def upgrade():
    for table, column, mapping in COLUMNS:
        _recode(table, column, mapping)
    with op.batch_alter_table("bank_import", schema=None) as batch_op:
        batch_op.add_column(sa.Column("progress_done", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("progress_total", sa.Integer(), server_default="0", nullable=False))
    bank_import = sa.table("bank_import", sa.column("id", sa.Integer), sa.column("status", sa.String))
    connection = op.get_bind()
    parsing = connection.execute(sa.select(bank_import.c.id, bank_import.c.status)
                                 .where(bank_import.c.status.like("parsing:%"))).all()
    for batch_id, status in parsing:  # a percentage: done of 100
        percent = int(status.split(":", 1)[1] or 0)
        connection.execute(sa.text("UPDATE bank_import SET status = 'parsing', progress_done = :done,"
                                   " progress_total = 100 WHERE id = :id"), {"done": percent, "id": batch_id})


def downgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, progress_done, progress_total FROM bank_import"
                                      " WHERE status = 'parsing'")).all()
    for batch_id, done, total in rows:
        connection.execute(sa.text("UPDATE bank_import SET status = :status WHERE id = :id"),
                           {"status": f"parsing:{done * 100 // max(total, 1)}", "id": batch_id})
    with op.batch_alter_table("bank_import", schema=None) as batch_op:
        batch_op.drop_column("progress_total")
        batch_op.drop_column("progress_done")
    for table, column, mapping in COLUMNS:
        _recode(table, column, {new: old for old, new in mapping.items()})
