"""roster import: checked by a task, with progress, errors and the preview on the batch

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-10 09:00:00

The roster preview now runs in a background task like the question import: the batch gets
progress_done/progress_total, the number of data rows, the first row errors with their count, and
the first rows as the preview shows them. Existing batches were previewed in the request and stored
only their rows: each gets its row count, and one with errors (which were never stored) one error
saying to upload the file again. The downgrade drops the columns; the rows stay as they were.
"""
import json

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

UNKNOWN_ERRORS = "此批次在系统升级前预览，错误明细未保存；请重新上传文件查看。"


def upgrade():
    with op.batch_alter_table('roster_import', schema=None) as batch_op:
        batch_op.add_column(sa.Column('progress_done', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('progress_total', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('row_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('errors', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('error_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('people', sa.JSON(), server_default='[]', nullable=False))
    connection = op.get_bind()
    table = sa.table('roster_import', sa.column('id', sa.Integer), sa.column('status', sa.String),
                     sa.column('rows', sa.JSON), sa.column('row_count', sa.Integer),
                     sa.column('errors', sa.JSON), sa.column('error_count', sa.Integer))
    for batch_id, status, rows in connection.execute(sa.select(table.c.id, table.c.status, table.c.rows)).all():
        rows = json.loads(rows) if isinstance(rows, str) else rows or []
        values = {'row_count': len(rows)}
        if status == 'invalid':
            values |= {'errors': [{'row': None, 'message': UNKNOWN_ERRORS}], 'error_count': 1}
        connection.execute(table.update().where(table.c.id == batch_id).values(**values))


def downgrade():
    with op.batch_alter_table('roster_import', schema=None) as batch_op:
        batch_op.drop_column('people')
        batch_op.drop_column('error_count')
        batch_op.drop_column('errors')
        batch_op.drop_column('row_count')
        batch_op.drop_column('progress_total')
        batch_op.drop_column('progress_done')
