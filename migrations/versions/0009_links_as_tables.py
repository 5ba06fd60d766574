"""links as tables: lesson competencies, syllabus targets, class competencies, certification exams, question tags

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 04:40:00

Copies the JSON and string columns into rows and drops them (downgrade copies the rows back):
- lesson.competencies {code: "中级"} -> lesson_competency (lesson_id, competency_id, level 1-3)
- syllabus.targets {code: "中级"} -> syllabus_target (syllabus_id, competency_id, level)
- syllabus.certify [{competency, level, exam}] -> certification (code, title = exam, ...): the code
  is "<competency code>-basic|mid|adv" in lower case, as course_content/syllabi now names them
- training_class.competencies [code] -> class_competency (class_id, competency_id)
- question.tags ",a,b," -> question_tag (question_id, tag)
- competency.levels {"中级": meaning} -> {"2": meaning} (the Level number, as the app now stores it)
Codes that name no competency row and unknown level names cannot be linked and are left out.
"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

LEVELS = {"初级": 1, "中级": 2, "高级": 3}  # frozen here: the migration must not import app code
LEVEL_SLUGS = {1: "basic", 2: "mid", 3: "adv"}
# competency.levels keys: name -> number on upgrade, back on downgrade (a key already converted stays)
KEY_TO_NUMBER = {name: str(number) for name, number in LEVELS.items()} | {str(n): str(n) for n in LEVELS.values()}
KEY_TO_NAME = {str(number): name for name, number in LEVELS.items()} | {name: name for name in LEVELS}
TAG_MAX = 100

lesson = sa.table("lesson", sa.column("id", sa.Integer), sa.column("competencies", sa.JSON))
syllabus = sa.table("syllabus", sa.column("id", sa.Integer), sa.column("targets", sa.JSON),
                    sa.column("certify", sa.JSON))
training_class = sa.table("training_class", sa.column("id", sa.Integer),
                          sa.column("competencies", sa.JSON))
question = sa.table("question", sa.column("id", sa.Integer), sa.column("tags", sa.String))
competency = sa.table("competency", sa.column("id", sa.Integer), sa.column("code", sa.String),
                      sa.column("levels", sa.JSON))
lesson_competency = sa.table("lesson_competency", sa.column("lesson_id", sa.Integer),
                             sa.column("competency_id", sa.Integer), sa.column("level", sa.Integer))
syllabus_target = sa.table("syllabus_target", sa.column("syllabus_id", sa.Integer),
                           sa.column("competency_id", sa.Integer), sa.column("level", sa.Integer))
certification = sa.table("certification", sa.column("id", sa.Integer), sa.column("code", sa.String),
                         sa.column("title", sa.String), sa.column("syllabus_id", sa.Integer),
                         sa.column("competency_id", sa.Integer), sa.column("level", sa.Integer),
                         sa.column("active", sa.Boolean))
class_competency = sa.table("class_competency", sa.column("class_id", sa.Integer),
                            sa.column("competency_id", sa.Integer))
question_tag = sa.table("question_tag", sa.column("question_id", sa.Integer), sa.column("tag", sa.String))


def _link_table(name, owner, owner_table, *, with_level=True):
    columns = [sa.Column(owner, sa.Integer(), nullable=False),
               sa.Column('competency_id', sa.Integer(), nullable=False)]
    if with_level:
        columns.append(sa.Column('level', sa.Integer(), nullable=False))
    op.create_table(
        name, *columns,
        sa.ForeignKeyConstraint(['competency_id'], ['competency.id'],
                                name=op.f(f'fk_{name}_competency_id_competency'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint([owner], [f'{owner_table}.id'],
                                name=op.f(f'fk_{name}_{owner}_{owner_table}'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint(owner, 'competency_id', name=op.f(f'pk_{name}')))
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{name}_competency_id'), ['competency_id'], unique=False)


def _create_tables():
    _link_table('lesson_competency', 'lesson_id', 'lesson')
    _link_table('syllabus_target', 'syllabus_id', 'syllabus')
    _link_table('class_competency', 'class_id', 'training_class', with_level=False)
    op.create_table(
        'certification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=80), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('syllabus_id', sa.Integer(), nullable=False),
        sa.Column('competency_id', sa.Integer(), nullable=False),
        sa.Column('level', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.ForeignKeyConstraint(['competency_id'], ['competency.id'],
                                name=op.f('fk_certification_competency_id_competency')),
        sa.ForeignKeyConstraint(['syllabus_id'], ['syllabus.id'],
                                name=op.f('fk_certification_syllabus_id_syllabus')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certification')),
        sa.UniqueConstraint('code', name=op.f('uq_certification_code')))
    with op.batch_alter_table('certification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certification_competency_id'), ['competency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certification_syllabus_id'), ['syllabus_id'], unique=False)
    op.create_table(
        'question_tag',
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('tag', sa.String(length=TAG_MAX), nullable=False),
        sa.ForeignKeyConstraint(['question_id'], ['question.id'],
                                name=op.f('fk_question_tag_question_id_question'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('question_id', 'tag', name=op.f('pk_question_tag')))
    with op.batch_alter_table('question_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_tag_tag'), ['tag'], unique=False)


def _level_links(conn, table, owner, rows, ids):
    """Insert {code: level name} maps of (owner id, map) rows as link rows."""
    links = [{owner: owner_id, "competency_id": ids[code], "level": LEVELS[name]}
             for owner_id, levels in rows for code, name in (levels or {}).items()
             if code in ids and name in LEVELS]
    if links:
        conn.execute(table.insert(), links)


def _exam_code(code: str, level: int, taken: set) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", code.lower()).strip("-")[:70] + "-" + LEVEL_SLUGS[level]
    result, n = base, 1
    while result in taken:
        n += 1
        result = f"{base}-{n}"
    taken.add(result)
    return result


def _renumber_levels(conn, key_of):
    """Rewrite each competency's level meanings with their keys mapped by key_of (None: left out)."""
    for competency_id, levels in conn.execute(sa.select(competency.c.id, competency.c.levels)).all():
        renamed = {key_of(key): meaning for key, meaning in (levels or {}).items() if key_of(key)}
        if renamed != (levels or {}):
            conn.execute(competency.update().where(competency.c.id == competency_id).values(levels=renamed))


def _copy_into_tables(conn):
    _renumber_levels(conn, KEY_TO_NUMBER.get)
    ids = dict(conn.execute(sa.select(competency.c.code, competency.c.id)).all())
    _level_links(conn, lesson_competency, "lesson_id",
                 conn.execute(sa.select(lesson.c.id, lesson.c.competencies)).all(), ids)
    syllabi = conn.execute(sa.select(syllabus.c.id, syllabus.c.targets, syllabus.c.certify)
                           .order_by(syllabus.c.id)).all()
    _level_links(conn, syllabus_target, "syllabus_id", [(s.id, s.targets) for s in syllabi], ids)
    taken, exams = set(), []
    for row in syllabi:
        for item in row.certify or ():
            level = LEVELS.get(item.get("level"))
            if item.get("competency") in ids and level:
                exams.append({"code": _exam_code(item["competency"], level, taken),
                              "title": str(item.get("exam") or "")[:200], "syllabus_id": row.id,
                              "competency_id": ids[item["competency"]], "level": level, "active": True})
    if exams:
        conn.execute(certification.insert(), exams)
    classes = [{"class_id": class_id, "competency_id": ids[code]}
               for class_id, codes in conn.execute(sa.select(training_class.c.id, training_class.c.competencies))
               for code in dict.fromkeys(codes or ()) if code in ids]
    if classes:
        conn.execute(class_competency.insert(), classes)
    tags = [{"question_id": question_id, "tag": tag}
            for question_id, text in conn.execute(sa.select(question.c.id, question.c.tags))
            for tag in dict.fromkeys(part.strip()[:TAG_MAX] for part in (text or "").split(","))
            if tag]
    if tags:
        conn.execute(question_tag.insert(), tags)


_BACK = (  # table, column, type, the empty value existing rows start from
    ('lesson', 'competencies', sa.JSON(), '{}'),
    ('syllabus', 'targets', sa.JSON(), '{}'),
    ('syllabus', 'certify', sa.JSON(), '[]'),
    ('training_class', 'competencies', sa.JSON(), '[]'),
    ('question', 'tags', sa.String(length=500), ''),
)


def upgrade():
    _create_tables()
    _copy_into_tables(op.get_bind())
    # Not batch mode: on SQLite a batch rebuilds the table, and dropping the old copy with
    # foreign keys on deletes every row that cascades from it (versions, progress, sessions).
    # SQLite (3.35+) drops an unconstrained column in place, as PostgreSQL does.
    for table, column, _type, _empty in _BACK:
        op.drop_column(table, column)


def _grouped(rows) -> dict:
    grouped: dict = {}
    for owner_id, value in rows:
        grouped.setdefault(owner_id, []).append(value)
    return grouped


def _copy_back(conn):
    names = {number: name for name, number in LEVELS.items()}
    _renumber_levels(conn, KEY_TO_NAME.get)
    codes = competency.c.code
    for table, link, owner, column in ((lesson, lesson_competency, "lesson_id", "competencies"),
                                       (syllabus, syllabus_target, "syllabus_id", "targets")):
        rows = conn.execute(sa.select(link.c[owner], codes, link.c.level)
                            .join(competency, competency.c.id == link.c.competency_id)
                            .order_by(link.c[owner], codes)).all()
        for owner_id, pairs in _grouped((r[0], (r[1], names[r[2]])) for r in rows).items():
            conn.execute(table.update().where(table.c.id == owner_id).values({column: dict(pairs)}))
    rows = conn.execute(sa.select(certification.c.syllabus_id, codes, certification.c.level,
                                  certification.c.title)
                        .join(competency, competency.c.id == certification.c.competency_id)
                        .where(certification.c.active).order_by(certification.c.id)).all()
    for owner_id, items in _grouped(
            (r[0], {"competency": r[1], "level": names[r[2]], "exam": r[3]}) for r in rows).items():
        conn.execute(syllabus.update().where(syllabus.c.id == owner_id).values(certify=items))
    rows = conn.execute(sa.select(class_competency.c.class_id, codes)
                        .join(competency, competency.c.id == class_competency.c.competency_id)
                        .order_by(class_competency.c.class_id, codes)).all()
    for owner_id, items in _grouped(rows).items():
        conn.execute(training_class.update().where(training_class.c.id == owner_id)
                     .values(competencies=items))
    rows = conn.execute(sa.select(question_tag.c.question_id, question_tag.c.tag)
                        .order_by(question_tag.c.question_id, question_tag.c.tag)).all()
    for owner_id, tags in _grouped(rows).items():
        conn.execute(question.update().where(question.c.id == owner_id)
                     .values(tags=("," + ",".join(tags) + ",")[:500]))


def downgrade():
    for table, column, type_, empty in _BACK:  # in place, not batch: see upgrade()
        op.add_column(table, sa.Column(column, type_, nullable=False, server_default=empty))
    _copy_back(op.get_bind())
    if op.get_bind().dialect.name != "sqlite":  # SQLite would rebuild the table to drop a default
        for table, column, type_, _empty in _BACK:
            op.alter_column(table, column, server_default=None, existing_type=type_,
                            existing_nullable=False)
    for name in ('question_tag', 'certification', 'class_competency', 'syllabus_target', 'lesson_competency'):
        op.drop_table(name)
