"""Printing (打印): an exam's paper A/B and its answer key, and a finished attempt, as PDF; read back
with pypdf: the Chinese text, what the key adds, the papers' determinism, who may print (404
otherwise), the audit entries, and the Chinese refusals."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app import clock
from app.exams import attempts
from app.extensions import db
from app.models import AttemptItem, AuditEntry, Exam, QuestionVersion
from app.pdf import cjk_font
from tests.factories import make_exam, make_exam_questions, make_person, make_world

pytest.importorskip("weasyprint")
pytestmark = pytest.mark.skipif(cjk_font() is None, reason="no CJK font on this machine (fonts-wqy-microhei)")

EXPLANATION = "解析：交通信号灯的含义"
TITLE = "交通安全法规季度考试"
RULES = (("一、单选题", "single", 4, 200), ("二、判断题", "truefalse", 2, 100), ("三、填空题", "fill", 1, 200),
         ("四、简答题", "essay", 1, 1000))


@pytest.fixture
def world(app):
    world = make_world(instructors=True, bank=True, people={"t1": {"unit": "a1", "staff_no": "T1", "name": "考生甲"}})
    world["admin_a1"] = make_person(unit=world["a1"], staff_no="admin-a1", roles=(("admin", world["a1"]),))
    make_exam_questions(world["cat_a"], single=10, truefalse=4, fill=2, essay=2)
    for version in db.session.scalars(select(QuestionVersion)):
        version.data = version.data | {"explanation": EXPLANATION}
    db.session.commit()
    return world


def exam(world, **fields) -> Exam:
    return make_exam(category=world["cat_a"], audience_units=[world["a"]], rules=RULES, owner_unit_id=world["a"].id,
                     created_by_id=world["inst_a"].id, title=fields.pop("title", TITLE), **fields)


def pdf_text(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def stems(text: str) -> list[str]:
    return re.findall(r"(?:测试题干|判断题干|填空题干|简答题干)\d+", text)


def audits(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_the_paper_prints_in_chinese_with_its_sections_and_no_answers(app, as_user, world):
    the_exam = exam(world, duration_minutes=90)
    response = as_user("inst-a").get(f"/exams/manage/{the_exam.id}/print?paper=A&number=3")
    assert "attachment" in response.headers["Content-Disposition"] and "no-store" in response.headers["Cache-Control"]
    text = flat(pdf_text(response))
    assert TITLE in text and "A卷" in text and "第3份" in text
    assert "考试时间90分钟" in text and "满分22分" in text and "共8题" in text  # 4×2 + 2×1 + 1×2 + 1×10
    assert "姓名" in text and "编号" in text and "单位" in text
    assert "一、单选题（共4题，每题2分，共8分）" in text and "四、简答题（共1题，每题10分，共10分）" in text
    assert len(stems(text)) == 8 and "正确选项" in text  # the options are printed, lettered
    assert "答案：" not in text and EXPLANATION not in text and "参考答案" not in text and "要点" not in text


def test_the_key_adds_the_correct_answers_points_and_explanations(app, as_user, world):
    the_exam = exam(world)
    client = as_user("inst-a")
    paper = flat(pdf_text(client.get(f"/exams/manage/{the_exam.id}/print?paper=B")))
    key = flat(pdf_text(client.get(f"/exams/manage/{the_exam.id}/print?paper=B&key=1")))
    assert stems(key) == stems(paper)  # the same paper B, with its answers
    assert "B卷参考答案及评分标准" in key and "阅卷" in key
    assert key.count("答案：") >= 7 and "答案：对" in key and "答案：（1）甲；（2）乙" in key
    assert "参考答案：要点" in key and EXPLANATION.replace("：", "") in key.replace("：", "") and "分值：2分" in key
    # each 单选's answer is the letter the option 正确选项 got on this paper
    letters = re.findall(r"([A-C])\.正确选项", key)
    assert re.findall(r"答案：([A-C])(?=\W|$|分值)", key) == letters and len(letters) == 4


def test_papers_a_and_b_differ_and_each_prints_the_same_every_time(app, as_user, world):
    the_exam = exam(world)
    client = as_user("inst-a")

    def order(paper: str, **more) -> list[str]:
        query = "&".join(f"{k}={v}" for k, v in {"paper": paper, **more}.items())
        return stems(flat(pdf_text(client.get(f"/exams/manage/{the_exam.id}/print?{query}"))))

    a, b = order("A"), order("B")
    assert a != b and order("A", number=2) == a and order("a") == a and order("B") == b
    assert order("A", key=1) == a


def test_only_who_may_change_the_exam_prints_it_others_get_404(app, as_user, world):
    the_exam = exam(world)
    url = f"/exams/manage/{the_exam.id}/print?paper=A&key=1"
    for staff_no in ("inst-b", "admin-b", "admin-a1"):  # admin-a1 watches the exam (its audience)
        response = as_user(staff_no).get(url)
        assert response.status_code == 404, staff_no
    assert as_user("T1").get(url).status_code == 403  # no builder's role: as every 考试管理 page
    assert "考试不存在或不在您的管理范围内" in as_user("admin-a1").get(url).get_data(as_text=True)
    assert as_user("inst-a").get("/exams/manage/999999/print").status_code == 404
    assert audits("exam_print_key") == []
    assert as_user("admin-a").get(url).status_code == 200  # whose scope covers the owner unit


def test_each_print_is_audited_and_the_key_under_its_own_action(app, as_user, world):
    the_exam = exam(world)
    client = as_user("inst-a")
    client.get(f"/exams/manage/{the_exam.id}/print?paper=B&number=12")
    client.get(f"/exams/manage/{the_exam.id}/print?paper=A&key=1")
    (paper,), (key,) = audits("exam_print_paper"), audits("exam_print_key")
    assert paper.actor_id == key.actor_id == world["inst_a"].id
    assert (paper.object_type, paper.object_id) == ("Exam", the_exam.id)
    assert paper.detail == {"paper": "B", "number": 12, "version": 1, "questions": 8}
    assert key.detail == {"paper": "A", "version": 1, "questions": 8}


@pytest.mark.parametrize("query, message", [
    ("paper=C", "试卷只有 A 卷和 B 卷"), ("paper=甲", "试卷只有 A 卷和 B 卷"),
    ("number=0", "份号应为 1 到 9999"), ("number=²", "份号应为 1 到 9999"), ("number=10000", "份号应为 1 到 9999"),
    ("key=2", "请选择打印试卷或答案"), ("key=yes", "请选择打印试卷或答案")])
def test_a_bad_choice_is_refused_in_chinese_and_prints_nothing(app, as_user, world, query, message):
    the_exam = exam(world)
    response = as_user("inst-a").get(f"/exams/manage/{the_exam.id}/print?{query}")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action.like("exam_print%"))) == 0


def test_a_draft_prints_from_the_bank_and_a_short_bank_says_why(app, as_user, world):
    draft = exam(world, publish=False, title="草稿考试")
    client = as_user("inst-a")
    text = flat(pdf_text(client.get(f"/exams/manage/{draft.id}/print?paper=A")))
    assert "草稿考试" in text and len(stems(text)) == 8
    assert stems(flat(pdf_text(client.get(f"/exams/manage/{draft.id}/print?paper=A")))) == stems(text)
    short = make_exam(category=world["cat_a"], audience_units=[world["a"]], owner_unit_id=world["a"].id,
                      rules=(("一、单选题", "single", 50, 200),), publish=False)
    response = client.get(f"/exams/manage/{short.id}/print")
    assert response.status_code == 409 and "题" in response.get_data(as_text=True)


def test_no_cjk_font_is_said_in_chinese(app, as_user, world, monkeypatch):
    from app import pdf

    monkeypatch.setattr(pdf, "cjk_font", lambda: None)
    response = as_user("inst-a").get(f"/exams/manage/{exam(world).id}/print")
    assert response.status_code == 503 and "没有安装中文字体" in response.get_data(as_text=True)
    assert audits("exam_print_paper") == []


def test_the_fetcher_refuses_the_network_and_files_outside_its_folders(tmp_path):
    from app.pdf import local_fetcher

    (tmp_path / "ok.css").write_text("p{}")
    fetcher = local_fetcher((tmp_path,))
    for url in ("http://127.0.0.1:9/x.png", "https://example.com/a.css", "ftp://example.com/x",
                "file:///etc/passwd", f"file://{tmp_path}/../secret", "file://otherhost/etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch((tmp_path / "ok.css").as_uri()).read() == b"p{}"


# --- an attempt for the person's file --------------------------------------------------------------


def sit(exam_obj, person, *, now) -> int:
    """The singles: the first right, the rest wrong; 判断 right; 填空 half right; the essay answered."""
    attempt, _ = attempts.start(exam_obj.id, person.id, now=now)
    attempt_id = attempt.id
    items = db.session.execute(select(AttemptItem.slot, AttemptItem.option_order, AttemptItem.section)
                               .where(AttemptItem.attempt_id == attempt_id).order_by(AttemptItem.slot)).all()
    singles = 0
    for slot, order, section in items:
        if section.endswith("单选题"):
            answer, singles = "ABC"[order.index("A" if singles == 0 else "B")], singles + 1
        elif section.endswith("判断题"):
            answer = True
        elif section.endswith("填空题"):
            answer = ["甲", "丙"]
        else:
            answer = "先劝阻，再报告上级"
        attempts.save_answer(attempt_id, person.id, slot, 1, answer, now=now + timedelta(minutes=slot))
    attempts.submit(attempt_id, person.id, now=now + timedelta(minutes=20))
    return attempt_id


def test_a_finished_attempt_prints_with_answers_scores_and_the_correct_ones(app, as_user, world):
    attempt_id = sit(exam(world), world["t1"], now=clock.now() - timedelta(minutes=30))
    response = as_user("inst-a").get(f"/exams/manage/attempts/{attempt_id}/print.pdf")
    text = flat(pdf_text(response))
    assert "考生甲" in text and "T1" in text and "交警支队/一大队/一中队" in text and TITLE in text
    # 2 (one single) + 2 (判断) + 1 (one blank of two) = 5 of 22; the essay waits for a marker
    assert "5/22分" in text and "待阅卷" in text and "本人交卷" in text
    assert "考生答案：甲；丙" in text and "参考答案：甲；乙" in text and "先劝阻，再报告上级" in text
    assert text.count("考生选择") == 4 and text.count("正确答案") >= 4 and EXPLANATION.replace("：", "") in \
        text.replace("：", "")
    assert "一、单选题" in text and "2/8" in text and "得分2/2" in text and "得分0/2" in text
    (entry,) = audits("attempt_print")
    assert (entry.object_type, entry.object_id, entry.actor_id) == ("Attempt", attempt_id, world["inst_a"].id)
    assert entry.detail == {"exam_id": entry.detail["exam_id"], "person_id": world["t1"].id}


def test_an_attempt_prints_only_for_who_may_read_it_and_only_once_finished(app, as_user, world):
    the_exam = exam(world)
    attempt_id = sit(the_exam, world["t1"], now=clock.now() - timedelta(minutes=30))
    url = f"/exams/manage/attempts/{attempt_id}/print.pdf"
    for staff_no in ("T1", "inst-b", "admin-b"):
        assert as_user(staff_no).get(url).status_code == 404, staff_no
    assert as_user("inst-a").get("/exams/manage/attempts/999999/print.pdf").status_code == 404
    watcher = flat(pdf_text(as_user("admin-a1").get(url)))  # watches, in the audience: no answers yet
    assert "考生甲" in watcher and "不显示正确答案" in watcher and "参考答案" not in watcher
    other = make_person(unit=world["a1"], staff_no="T9", name="考生丙")
    running, _ = attempts.start(the_exam.id, other.id, now=clock.now())
    response = as_user("inst-a").get(f"/exams/manage/attempts/{running.id}/print.pdf")
    assert response.status_code == 409 and "交卷后才能打印" in response.get_data(as_text=True)
    assert [e.object_id for e in audits("attempt_print")] == [attempt_id]


def test_the_pages_link_to_printing(app, as_user, world):
    the_exam = exam(world)
    attempt_id = sit(the_exam, world["t1"], now=clock.now() - timedelta(minutes=30))
    client = as_user("inst-a")
    page = client.get(f"/exams/manage/{the_exam.id}").get_data(as_text=True)
    assert f'action="/exams/manage/{the_exam.id}/print"' in page and 'name="key" value="1"' in page
    detail = client.get(f"/exams/manage/attempts/{attempt_id}").get_data(as_text=True)
    assert f'href="/exams/manage/attempts/{attempt_id}/print.pdf"' in detail
    owner_admin = as_user("admin-a").get(f"/exams/manage/{the_exam.id}")  # the owner unit a is in their scope
    assert f'/exams/manage/{the_exam.id}/print"' in owner_admin.get_data(as_text=True)
    watcher = as_user("admin-a1").get(f"/exams/manage/{the_exam.id}")  # watches only: no print form
    assert watcher.status_code == 200 and f'/exams/manage/{the_exam.id}/print"' not in watcher.get_data(as_text=True)


def test_blanks_become_numbered_lines_only_in_the_text():
    from markupsafe import Markup

    from app.exams.printing import blanks_as_lines

    one = blanks_as_lines(Markup('<p>应当先____。<img src="/x___y.png" alt="图"></p>'))
    assert one == Markup('<p>应当先<span class="blank"></span>。<img src="/x___y.png" alt="图"></p>')
    two = str(blanks_as_lines(Markup('<p>先____，<a href="/a___b">再</a>______。</p>')))
    assert two == '<p>先<span class="blank">（1）</span>，<a href="/a___b">再</a><span class="blank">（2）</span>。</p>'
