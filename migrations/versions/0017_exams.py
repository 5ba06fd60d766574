"""exams: blueprints and their rules, exams with audience, overrides and frozen pools, attempts

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-02 12:25:34

New tables only: no rows to convert. `exam_attempt` has the unique key (exam, person, number)
that makes starting idempotent.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('blueprint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('owner_unit_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_blueprint_created_by_id_person')),
    sa.ForeignKeyConstraint(['owner_unit_id'], ['org_unit.id'], name=op.f('fk_blueprint_owner_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blueprint'))
    )
    with op.batch_alter_table('blueprint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blueprint_owner_unit_id'), ['owner_unit_id'], unique=False)

    op.create_table('blueprint_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('blueprint_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=100), nullable=False),
    sa.Column('source_kind', sa.String(length=12), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('include_subcategories', sa.Boolean(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=True),
    sa.Column('tag', sa.String(length=100), nullable=False),
    sa.Column('question_ids', sa.JSON(), nullable=False),
    sa.Column('qtype', sa.String(length=20), nullable=False),
    sa.Column('difficulty_min', sa.Integer(), nullable=True),
    sa.Column('difficulty_max', sa.Integer(), nullable=True),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['blueprint_id'], ['blueprint.id'], name=op.f('fk_blueprint_rule_blueprint_id_blueprint'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['question_category.id'], name=op.f('fk_blueprint_rule_category_id_question_category')),
    sa.ForeignKeyConstraint(['competency_id'], ['competency.id'], name=op.f('fk_blueprint_rule_competency_id_competency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blueprint_rule')),
    sa.UniqueConstraint('blueprint_id', 'position', name=op.f('uq_blueprint_rule_blueprint_id'))
    )
    op.create_table('exam',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('blueprint_id', sa.Integer(), nullable=False),
    sa.Column('owner_unit_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('opens_at', sa.DateTime(), nullable=False),
    sa.Column('closes_at', sa.DateTime(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('attempts_allowed', sa.Integer(), nullable=False),
    sa.Column('counting', sa.String(length=10), nullable=False),
    sa.Column('pass_percent', sa.Integer(), nullable=False),
    sa.Column('multi_policy', sa.String(length=20), nullable=False),
    sa.Column('shuffle_questions', sa.Boolean(), nullable=False),
    sa.Column('shuffle_options', sa.Boolean(), nullable=False),
    sa.Column('one_per_page', sa.Boolean(), nullable=False),
    sa.Column('review_timing', sa.String(length=12), nullable=False),
    sa.Column('review_score', sa.Boolean(), nullable=False),
    sa.Column('review_correctness', sa.Boolean(), nullable=False),
    sa.Column('review_answers', sa.Boolean(), nullable=False),
    sa.Column('review_explanations', sa.Boolean(), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('switch_limit', sa.Integer(), nullable=True),
    sa.Column('target_facility', sa.Double(), nullable=True),
    sa.Column('tolerance', sa.Double(), nullable=False),
    sa.Column('grace_seconds', sa.Integer(), nullable=False),
    sa.Column('pool_key', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['blueprint_id'], ['blueprint.id'], name=op.f('fk_exam_blueprint_id_blueprint')),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_exam_created_by_id_person')),
    sa.ForeignKeyConstraint(['owner_unit_id'], ['org_unit.id'], name=op.f('fk_exam_owner_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam'))
    )
    with op.batch_alter_table('exam', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_owner_unit_id'), ['owner_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exam_status'), ['status'], unique=False)

    op.create_table('exam_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('exam_version', sa.Integer(), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('deadline', sa.DateTime(), nullable=False),
    sa.Column('last_saved_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by', sa.String(length=12), nullable=False),
    sa.Column('expected_facility', sa.Double(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('max_score', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('pending_manual', sa.Boolean(), nullable=False),
    sa.Column('switches', sa.Integer(), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['exam_id'], ['exam.id'], name=op.f('fk_exam_attempt_exam_id_exam'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_exam_attempt_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_attempt')),
    sa.UniqueConstraint('exam_id', 'person_id', 'number', name=op.f('uq_exam_attempt_exam_id'))
    )
    with op.batch_alter_table('exam_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_attempt_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_exam_attempt_state_deadline', ['state', 'deadline'], unique=False)

    op.create_table('exam_audience',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['exam_id'], ['exam.id'], name=op.f('fk_exam_audience_exam_id_exam'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_exam_audience_person_id_person')),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_exam_audience_post_id_post')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_exam_audience_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_audience'))
    )
    with op.batch_alter_table('exam_audience', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_audience_exam_id'), ['exam_id'], unique=False)

    op.create_table('exam_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('extra_minutes', sa.Integer(), nullable=False),
    sa.Column('closes_at', sa.DateTime(), nullable=True),
    sa.Column('extra_attempts', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_exam_override_created_by_id_person')),
    sa.ForeignKeyConstraint(['exam_id'], ['exam.id'], name=op.f('fk_exam_override_exam_id_exam'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_exam_override_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_override')),
    sa.UniqueConstraint('exam_id', 'person_id', name=op.f('uq_exam_override_exam_id'))
    )
    with op.batch_alter_table('exam_override', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_override_person_id'), ['person_id'], unique=False)

    op.create_table('exam_pool_entry',
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('question_version_id', sa.Integer(), nullable=False),
    sa.Column('facility', sa.Double(), nullable=False),
    sa.Column('option_keys', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['exam_id'], ['exam.id'], name=op.f('fk_exam_pool_entry_exam_id_exam'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_exam_pool_entry_question_id_question')),
    sa.ForeignKeyConstraint(['question_version_id'], ['question_version.id'], name=op.f('fk_exam_pool_entry_question_version_id_question_version')),
    sa.PrimaryKeyConstraint('exam_id', 'rule', 'question_id', name=op.f('pk_exam_pool_entry'))
    )
    op.create_table('attempt_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('client_time', sa.String(length=40), nullable=False),
    sa.Column('server_time', sa.DateTime(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['exam_attempt.id'], name=op.f('fk_attempt_event_attempt_id_exam_attempt'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_event'))
    )
    with op.batch_alter_table('attempt_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_event_attempt_id'), ['attempt_id'], unique=False)

    op.create_table('attempt_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=100), nullable=False),
    sa.Column('rule', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('question_version_id', sa.Integer(), nullable=False),
    sa.Column('option_order', sa.JSON(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=True),
    sa.Column('saved_at', sa.DateTime(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['exam_attempt.id'], name=op.f('fk_attempt_item_attempt_id_exam_attempt'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_attempt_item_question_id_question')),
    sa.ForeignKeyConstraint(['question_version_id'], ['question_version.id'], name=op.f('fk_attempt_item_question_version_id_question_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_item')),
    sa.UniqueConstraint('attempt_id', 'slot', name=op.f('uq_attempt_item_attempt_id'))
    )
    with op.batch_alter_table('attempt_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_item_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attempt_item_question_version_id'), ['question_version_id'], unique=False)



def downgrade():
    with op.batch_alter_table('attempt_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_item_question_version_id'))
        batch_op.drop_index(batch_op.f('ix_attempt_item_question_id'))

    op.drop_table('attempt_item')
    with op.batch_alter_table('attempt_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_event_attempt_id'))

    op.drop_table('attempt_event')
    op.drop_table('exam_pool_entry')
    with op.batch_alter_table('exam_override', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_override_person_id'))

    op.drop_table('exam_override')
    with op.batch_alter_table('exam_audience', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_audience_exam_id'))

    op.drop_table('exam_audience')
    with op.batch_alter_table('exam_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_exam_attempt_state_deadline')
        batch_op.drop_index(batch_op.f('ix_exam_attempt_person_id'))

    op.drop_table('exam_attempt')
    with op.batch_alter_table('exam', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_status'))
        batch_op.drop_index(batch_op.f('ix_exam_owner_unit_id'))

    op.drop_table('exam')
    op.drop_table('blueprint_rule')
    with op.batch_alter_table('blueprint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blueprint_owner_unit_id'))

    op.drop_table('blueprint')
