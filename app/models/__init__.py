"""All models, imported so that Alembic and the app see one metadata."""

from app.models.audit import AuditEntry
from app.models.bank import (
    BankImport,
    Question,
    QuestionCategory,
    QuestionTag,
    QuestionVersion,
    question_competency,
)
from app.models.classes import (
    Attendance,
    ClassSession,
    Enrollment,
    Evaluation,
    TrainingClass,
    class_competency,
)
from app.models.credits import CreditHeadcount, CreditSourceTally, CreditStanding, CreditTally
from app.models.curriculum import (
    Certification,
    Competency,
    Course,
    Lesson,
    LessonCompetency,
    Level,
    Syllabus,
    SyllabusTarget,
)
from app.models.diagnostic import Diagnostic, DiagnosticRequirement
from app.models.exam_regrade import ExamQuestionAdjustment, ExamRegradeJob
from app.models.exam_stats import ExamAnalysis, ExamItemStat
from app.models.exams import (
    Attempt,
    AttemptEvent,
    AttemptItem,
    Blueprint,
    BlueprintRule,
    Exam,
    ExamAudience,
    ExamOverride,
    ExamPoolEntry,
)
from app.models.jobs import ScheduledRun
from app.models.messages import Message
from app.models.needs import (
    CompetencyMastery,
    ExamOutcome,
    ExamOutcomeTally,
    MasteryEvidence,
    NeedGap,
    NeedTally,
)
from app.models.org import Grade, OrgUnit, Post, Workforce
from app.models.people import ApiToken, LoginSession, MentorLink, Person, RoleGrant, RosterImport
from app.models.plans import MentorNote, PlanItem, PlanRetest, TrainingPlan
from app.models.practice import PracticeSource, WrongBookEntry
from app.models.quiz import LessonQuizQuestion, QuizAttempt, QuizAttemptItem
from app.models.study import (
    Assignment,
    AssignmentGenerateJob,
    AssignmentPeopleTally,
    AssignmentTally,
    CreditEntry,
    LessonProgress,
    StudyClock,
)

__all__ = [
    "ApiToken",
    "Diagnostic",
    "DiagnosticRequirement",
    "Attempt",
    "AttemptEvent",
    "AttemptItem",
    "Blueprint",
    "BlueprintRule",
    "Exam",
    "ExamAnalysis",
    "ExamQuestionAdjustment",
    "ExamRegradeJob",
    "ExamAudience",
    "ExamItemStat",
    "ExamOverride",
    "ExamPoolEntry",
    "PracticeSource",
    "MentorNote",
    "PlanItem",
    "PlanRetest",
    "TrainingPlan",
    "WrongBookEntry",
    "AuditEntry",
    "Attendance",
    "ClassSession",
    "Enrollment",
    "Evaluation",
    "TrainingClass",
    "class_competency",
    "BankImport",
    "Certification",
    "Competency",
    "Course",
    "Lesson",
    "LessonCompetency",
    "Level",
    "Question",
    "QuestionCategory",
    "QuestionTag",
    "QuestionVersion",
    "Syllabus",
    "SyllabusTarget",
    "question_competency",
    "Grade",
    "LoginSession",
    "MentorLink",
    "Message",
    "OrgUnit",
    "Person",
    "Post",
    "RoleGrant",
    "RosterImport",
    "ScheduledRun",
    "CompetencyMastery",
    "NeedGap",
    "ExamOutcome",
    "ExamOutcomeTally",
    "NeedTally",
    "MasteryEvidence",
    "Workforce",
    "Assignment",
    "AssignmentGenerateJob",
    "AssignmentPeopleTally",
    "AssignmentTally",
    "CreditHeadcount",
    "CreditSourceTally",
    "CreditStanding",
    "CreditTally",
    "CreditEntry",
    "LessonProgress",
    "StudyClock",
    "LessonQuizQuestion",
    "QuizAttempt",
    "QuizAttemptItem",
]
