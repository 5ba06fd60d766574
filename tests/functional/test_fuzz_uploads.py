"""Fuzzing the upload endpoints: random bytes and small nasty tables never get a 5xx, and a refused
file stores nothing (no batch, no staged file) — the roster upload and the question import in
every format. Hypothesis runs derandomized and modestly, so the suite stays fast and repeatable;
FUZZ_EXAMPLES=300 in the environment runs a longer search (it found nothing more at 300)."""

import csv
import datetime
import io
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import func, select

from app.extensions import db
from app.models import BankImport, Person, Question, RosterImport
from tests.factories import ROSTER_HEADER, login, make_world
from tests.unit.question_bank.test_qb_fuzz import AIKEN_TOKENS, GIFT_TOKENS, XML_TOKENS

FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 25)), deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
BANK_HEADER = ["编号", "分类", "题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "难度", "知识点",
               "分值", "法规依据", "标签"]
NASTY = ["", " ", "=cmd|' /C calc'!A0", "@SUM(1+1)", "+1", "-1", "\x00", "\x07", "\x1b[31m", "\u200b", "\ufeff",
         "\u2028", "𠀀", "'", '"', ",", "\n", "\r\n", "1e308", "nan", "3.0", "2024-03-01", "2024年3月1日", "示例",
         "一中队", "交警支队/一大队/一中队", "路面执勤", "四级辅警", "在岗", "学员", "教官", "单选", "判断", "对", "AB",
         "FJ-LAW", "<script>alert(1)</script>", "{{ 7*7 }}", "%50%甲|乙;丙"]  # fmt: skip
LIMITS = {"ROSTER_MAX_ROWS": 8, "BANK_MAX_QUESTIONS": 8, "ROSTER_MAX_CELL_CHARS": 300, "BANK_MAX_FIELD_CHARS": 300,
          "UPLOAD_MAX_COLUMNS": 20, "UPLOAD_MAX_BYTES": 64 * 1024}

texts = st.one_of(st.sampled_from(NASTY), st.text(max_size=12),
                  st.integers(0, 400).map(lambda n: "长" * n))  # around the cell limit
values = st.one_of(texts, st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
                   st.dates(min_value=datetime.date(1900, 1, 1)), st.booleans(), st.none())


def tables(header):
    """A header (sometimes mangled) and a few rows of nasty values."""
    heads = st.one_of(st.just(header), st.lists(texts, max_size=6), st.just(header[:2]))
    return st.tuples(heads, st.lists(st.lists(values, max_size=len(header) + 3), max_size=10))


def _csv_bytes(table, encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table[0])
    writer.writerows(table[1])
    return buffer.getvalue().encode(encoding, errors="replace")


def _xlsx_bytes(table) -> bytes:
    book = Workbook()
    for cells in [table[0], *table[1]]:
        book.active.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in cells])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def files(header, extra=()):
    """(bytes, name) pairs: random bytes, CSV in several encodings, xlsx, and `extra` kinds."""
    encodings = st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le"])
    return st.one_of(
        st.tuples(st.binary(max_size=300), st.sampled_from(["a.csv", "a.xlsx", "a.txt", "a.xml", "a.gift", "a"])),
        st.tuples(st.builds(_csv_bytes, tables(header), encodings), st.just("a.csv")),
        st.tuples(st.builds(_xlsx_bytes, tables(header)), st.just("a.xlsx")),
        *extra,
    )


def token_soup(tokens, name):
    return st.tuples(st.lists(st.sampled_from(tokens), max_size=40).map(lambda t: "".join(t).encode()), st.just(name))


@pytest.fixture
def app(make_app):
    app = make_app(**LIMITS)
    with app.app_context():
        yield app


@pytest.fixture
def world(app):
    return make_world(workforce=True, instructors=True, bank=True)


def _logged_in(app, staff_no: str):
    client = app.test_client()
    assert login(client, staff_no).status_code == 302
    return client


@pytest.fixture
def admin(app, world):
    return _logged_in(app, "admin-a")


@pytest.fixture
def instructor(app, world):
    return _logged_in(app, "inst-a")


def _state(app):
    uploads = os.path.join(app.instance_path, "uploads")
    counts = tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (RosterImport, BankImport,
                                                                                      Question, Person))
    return counts, sorted(os.listdir(uploads)) if os.path.isdir(uploads) else []


def _check(app, client, url: str, form: dict, upload: tuple[bytes, str], batches, staged: str) -> None:
    """Post one file; whatever happens: no 5xx, a refusal changes nothing, a preview imports nothing."""
    before = _state(app)
    data, name = upload
    response = client.post(url, data=form | {"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code != 302:  # refused at the upload
        assert response.status_code in (400, 413) and _state(app) == before
        return
    page = client.get(response.headers["Location"])  # the task ran inline: the preview, or why it failed
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    db.session.expire_all()
    counts, files_after = _state(app)
    assert counts[2:] == before[0][2:] and files_after == before[1]  # nothing imported, no file left behind
    batch = db.session.scalars(select(batches).order_by(batches.id.desc())).first()
    if batch.status == "failed" or (batches is RosterImport and batch.status == "invalid"):
        assert getattr(batch, staged) == []
    db.session.commit()  # end the read: the next upload's task needs SQLite's write lock


@FUZZ
@given(upload=files(ROSTER_HEADER))
def test_the_roster_upload_never_fails_and_a_refusal_stores_nothing(app, admin, upload):
    _check(app, admin, "/org/import", {}, upload, RosterImport, "rows")


@FUZZ
@given(upload=files(BANK_HEADER, extra=(token_soup(GIFT_TOKENS, "a.gift"), token_soup(AIKEN_TOKENS, "a.txt"),
                                        token_soup(XML_TOKENS, "a.xml"))))
def test_the_question_import_never_fails_and_a_refusal_stores_nothing(app, world, instructor, upload):
    _check(app, instructor, "/bank/import", {"category_id": str(world["cat_a"].id)}, upload, BankImport, "questions")
