"""The frozen dataclasses a course_content directory loads into (`…Spec`), and its issues.

The ORM rows of the same ideas live in app/models/curriculum.py; sync.py turns specs into rows.
"""

from dataclasses import dataclass
from decimal import Decimal

from app.models.curriculum import Level
from app.org.reference import PostSpec, WorkforceSpec  # noqa: F401 - the workforces file's specs


@dataclass(frozen=True)
class ContentIssue:
    """A problem in one content file; path is relative to the content root."""
    path: str
    line: int | None
    message: str


@dataclass(frozen=True)
class CompetencySpec:
    """A node of the competency tree and what each level means."""
    code: str
    name: str
    parent: str | None
    workforces: tuple[str, ...]
    description: str
    levels: dict[Level, str]


@dataclass(frozen=True)
class RequiredCourseSpec:
    """A required course with its deadline rule (exactly one of the two is set)."""
    course: str
    within_days_of_joining: int | None = None
    by_date_each_year: str | None = None


@dataclass(frozen=True)
class CertificationSpec:
    """The exam that certifies a competency level; `exam` is its stable code (a slug)."""
    competency: str
    level: Level
    exam: str
    title: str


@dataclass(frozen=True)
class SyllabusSpec:
    """A post's training syllabus."""
    post: str
    title: str
    annual_hours: int
    annual_required_hours: int
    targets: dict[str, Level]
    required: tuple[RequiredCourseSpec, ...]
    electives: tuple[str, ...]
    certify: tuple[CertificationSpec, ...]


@dataclass(frozen=True)
class LessonSpec:
    """One lesson of a course with its Markdown body."""
    position: int
    file: str
    title: str
    min_minutes: int
    competencies: dict[str, Level]
    quiz: tuple[str, ...]
    body: str


@dataclass(frozen=True)
class CourseSpec:
    """A course and its lessons in order."""
    slug: str
    title: str
    workforces: tuple[str, ...]
    kind: str
    credit_hours: Decimal
    summary: str
    lessons: tuple[LessonSpec, ...]


@dataclass(frozen=True)
class ContentTree:
    """Everything under a course_content directory."""
    competencies: tuple[CompetencySpec, ...]
    syllabi: tuple[SyllabusSpec, ...]
    courses: tuple[CourseSpec, ...]
    workforces: tuple[WorkforceSpec, ...] = ()

    @property
    def lesson_count(self) -> int:
        """Return the number of lessons in all courses."""
        return sum(len(course.lessons) for course in self.courses)


class ContentError(Exception):
    """Raised by load_tree when the content has issues."""

    def __init__(self, issues: list[ContentIssue]):
        super().__init__(f"课程内容有 {len(issues)} 个问题")
        self.issues = issues
