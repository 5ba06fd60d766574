"""All models, imported so that Alembic and the app see one metadata."""

from app.models.audit import AuditEntry
from app.models.bank import (
    BankImport,
    Question,
    QuestionCategory,
    QuestionVersion,
    question_competency,
)
from app.models.classes import Attendance, ClassSession, Enrollment, Evaluation, TrainingClass
from app.models.curriculum import Competency, Course, Lesson, Syllabus
from app.models.org import Grade, OrgUnit, Post, Workforce
from app.models.people import LoginSession, MentorLink, Person, RoleGrant, RosterImport
from app.models.quiz import LessonQuizQuestion, QuizAttempt, QuizAttemptItem
from app.models.study import Assignment, CreditEntry, LessonProgress, StudyClock

__all__ = [
    "AuditEntry",
    "Attendance",
    "ClassSession",
    "Enrollment",
    "Evaluation",
    "TrainingClass",
    "BankImport",
    "Competency",
    "Course",
    "Lesson",
    "Question",
    "QuestionCategory",
    "QuestionVersion",
    "Syllabus",
    "question_competency",
    "Grade",
    "LoginSession",
    "MentorLink",
    "OrgUnit",
    "Person",
    "Post",
    "RoleGrant",
    "RosterImport",
    "Workforce",
    "Assignment",
    "CreditEntry",
    "LessonProgress",
    "StudyClock",
    "LessonQuizQuestion",
    "QuizAttempt",
    "QuizAttemptItem",
]
