"""The frozen dataclasses a course_content directory loads into, and its issues."""

from dataclasses import dataclass
from decimal import Decimal

LEVELS = ("初级", "中级", "高级")
WORKFORCES = ("fj", "sq", "zg")


@dataclass(frozen=True)
class ContentIssue:
    """A problem in one content file; path is relative to the content root."""
    path: str
    line: int | None
    message: str


@dataclass(frozen=True)
class Competency:
    """A node of the competency tree and what each level means."""
    code: str
    name: str
    parent: str | None
    workforces: tuple[str, ...]
    description: str
    levels: dict[str, str]


@dataclass(frozen=True)
class RequiredCourse:
    """A required course with its deadline rule (exactly one of the two is set)."""
    course: str
    within_days_of_joining: int | None = None
    by_date_each_year: str | None = None


@dataclass(frozen=True)
class Certification:
    """The exam that certifies a competency level."""
    competency: str
    level: str
    exam: str


@dataclass(frozen=True)
class Syllabus:
    """A post's training syllabus."""
    post: str
    title: str
    annual_hours: int
    annual_required_hours: int
    targets: dict[str, str]
    required: tuple[RequiredCourse, ...]
    electives: tuple[str, ...]
    certify: tuple[Certification, ...]


@dataclass(frozen=True)
class Lesson:
    """One lesson of a course with its Markdown body."""
    position: int
    file: str
    title: str
    min_minutes: int
    competencies: dict[str, str]
    quiz: tuple[str, ...]
    body: str


@dataclass(frozen=True)
class Course:
    """A course and its lessons in order."""
    slug: str
    title: str
    workforces: tuple[str, ...]
    kind: str
    credit_hours: Decimal
    summary: str
    lessons: tuple[Lesson, ...]


@dataclass(frozen=True)
class ContentTree:
    """Everything under a course_content directory."""
    competencies: tuple[Competency, ...]
    syllabi: tuple[Syllabus, ...]
    courses: tuple[Course, ...]

    @property
    def lesson_count(self) -> int:
        """Return the number of lessons in all courses."""
        return sum(len(course.lessons) for course in self.courses)


class ContentError(Exception):
    """Raised by load_tree when the content has issues."""

    def __init__(self, issues: list[ContentIssue]):
        super().__init__(f"课程内容有 {len(issues)} 个问题")
        self.issues = issues
