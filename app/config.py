"""Configuration: defaults for the embedded mode, overridden by environment variables."""

import os
from pathlib import Path

from app.clock import DEFAULT_TIMEZONE
from question_bank.mastery import Settings as MasterySettings

_MASTERY = MasterySettings()  # the estimator's defaults

DEV_SECRET_KEY = "dev-insecure-change-me"  # noqa: S105 - the factory refuses it in production
MB = 1024 * 1024
FORM_ALLOWANCE = MB  # a request carries the form's other fields and the multipart framing too


class ConfigError(RuntimeError):
    """The configuration cannot serve the requested mode."""


def _sqlite_url(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / 'xunlian.sqlite3'}"


def _database_url(raw: str) -> str:
    """Route plain PostgreSQL URLs to psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def build_config(instance_path: str, env: dict[str, str] | None = None) -> dict:
    """Return the configuration mapping for this process."""
    from app.scheduler import beat_schedule

    env = dict(os.environ if env is None else env)
    redis_url = env.get("REDIS_URL", "")
    database_url = _database_url(env.get("DATABASE_URL", "")) or _sqlite_url(instance_path)
    timezone = env.get("TIMEZONE", DEFAULT_TIMEZONE)
    upload_max = int(env.get("UPLOAD_MAX_MB", 10)) * MB
    return {
        "ENV_NAME": env.get("XL_ENV", "development"),
        # Local dates, due dates, study years and displayed times; Babel's and beat's zone follow it.
        "TIMEZONE": timezone,
        "SECRET_KEY": env.get("SECRET_KEY", DEV_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SQLITE_BUSY_TIMEOUT_MS": 15000,
        "REDIS_URL": redis_url,
        "CELERY": {
            "broker_url": redis_url or "memory://",
            "result_backend": redis_url or None,
            "task_always_eager": not redis_url,
            "task_eager_propagates": True,
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "task_ignore_result": True,
            "broker_connection_retry_on_startup": True,
            "timezone": timezone,
            # Run by `celery beat` in production (see README); app/scheduler.py lists the jobs.
            "beat_schedule": beat_schedule(),
        },
        # Without Redis there is no beat: a thread in each app process runs the periodic jobs.
        "SCHEDULER_IN_PROCESS": env.get("SCHEDULER_IN_PROCESS", "0" if redis_url else "1") == "1",
        "SCHEDULER_TICK_SECONDS": 60,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_STRATEGY": "moving-window",
        "RATELIMIT_HEADERS_ENABLED": False,
        # Failed logins: tight per account-and-IP, loose per account (distributed guessing), per IP.
        "LOGIN_RATE_LIMIT_ACCOUNT_IP": env.get("LOGIN_RATE_LIMIT_ACCOUNT_IP", "5 per 15 minutes"),
        "LOGIN_RATE_LIMIT_ACCOUNT": env.get("LOGIN_RATE_LIMIT_ACCOUNT", "50 per hour"),
        "LOGIN_RATE_LIMIT_IP": env.get("LOGIN_RATE_LIMIT_IP", "30 per 15 minutes"),
        # The longest exam (3 h) plus grace must fit inside one token's lifetime.
        "WTF_CSRF_TIME_LIMIT": int(env.get("CSRF_TIME_LIMIT", 6 * 3600)),
        "WTF_CSRF_SSL_STRICT": True,
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BOOTSTRAP_BOOTSWATCH_THEME": None,
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": timezone,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("SESSION_COOKIE_SECURE", "0") == "1",
        "REMEMBER_COOKIE_DURATION": 0,
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,
        # Werkzeug refuses a longer request (413) from its Content-Length, before reading the body.
        "MAX_CONTENT_LENGTH": upload_max + FORM_ALLOWANCE,
        # Roster and question uploads (app/uploads.py): a file past a limit is refused with a message
        # naming the limit, before anything is stored. Sizes in bytes, text lengths in characters.
        "UPLOAD_MAX_BYTES": upload_max,
        "UPLOAD_MAX_UNPACKED_BYTES": int(env.get("UPLOAD_MAX_UNPACKED_MB", 100)) * MB,  # an .xlsx unzipped
        "UPLOAD_MAX_COLUMNS": int(env.get("UPLOAD_MAX_COLUMNS", 60)),
        # Files up to this size (an .xlsx: its sheets unzipped) are read whole during the upload, so
        # every limit refuses them at once; larger ones meet the row and cell limits in the
        # background task that reads them (its batch then ends 解析失败, keeping only the message).
        "UPLOAD_QUICK_CHECK_BYTES": MB,
        "ROSTER_MAX_ROWS": int(env.get("ROSTER_MAX_ROWS", 5000)),
        "ROSTER_MAX_CELL_CHARS": int(env.get("ROSTER_MAX_CELL_CHARS", 2000)),
        "BANK_MAX_QUESTIONS": int(env.get("BANK_MAX_QUESTIONS", 20000)),
        "BANK_MAX_FIELD_CHARS": int(env.get("BANK_MAX_FIELD_CHARS", 10000)),  # a cell or a question field
        "PER_PAGE": 20,
        "PROXY_FIX": env.get("PROXY_FIX", "0") == "1",
        "PASSWORD_MIN_LENGTH": 8,
        # Mastery per competency (app/needs, question_bank/mastery.py; the reasons in its README): an
        # answer's weight halves every MASTERY_HALF_LIFE_DAYS, times its source's weight. Changing
        # them needs `flask needs rebuild` (a stored state records the settings it was built with).
        "MASTERY_HALF_LIFE_DAYS": float(env.get("MASTERY_HALF_LIFE_DAYS", _MASTERY.half_life_days)),
        "MASTERY_SOURCE_WEIGHTS": {
            "formal": float(env.get("MASTERY_WEIGHT_FORMAL", _MASTERY.formal_weight)),
            "diagnostic": float(env.get("MASTERY_WEIGHT_DIAGNOSTIC", _MASTERY.diagnostic_weight)),
            "practice": float(env.get("MASTERY_WEIGHT_PRACTICE", _MASTERY.practice_weight)),
            "quiz": float(env.get("MASTERY_WEIGHT_QUIZ", _MASTERY.quiz_weight)),
        },
        # The adaptive diagnostic (摸底测试): at most this many questions per target competency.
        "DIAGNOSTIC_MAX_PER_COMPETENCY": int(env.get("DIAGNOSTIC_MAX_PER_COMPETENCY", 4)),
        # The level a question without a difficulty tests (2 = 中级, the middle of difficulty 1–5).
        "MASTERY_DEFAULT_LEVEL": 2,
        # Reminders (催学, app/needs/reminders.py): open tasks due within this many days (or overdue)
        # are reminded once a day; the job walks people in batches of REMINDER_BATCH_SIZE ids.
        "REMINDER_DUE_DAYS": int(env.get("REMINDER_DUE_DAYS", 7)),
        "REMINDER_BATCH_SIZE": int(env.get("REMINDER_BATCH_SIZE", 1000)),
        # Mail (app/mail.py): reminders go by e-mail too when MAIL_SERVER is set; SITE_URL makes
        # their links absolute (without it a mail names the page's path).
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(env.get("MAIL_PORT", 25)),
        "MAIL_USE_TLS": env.get("MAIL_USE_TLS", "0") == "1",  # STARTTLS on a plain connection
        "MAIL_USE_SSL": env.get("MAIL_USE_SSL", "0") == "1",  # SMTPS (usually port 465)
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", ""),
        "MAIL_TIMEOUT": float(env.get("MAIL_TIMEOUT", 10)),
        "SITE_URL": env.get("SITE_URL", "").rstrip("/"),
        # 个人培训计划 (needs/plans.py): the biggest gap's lessons fall due this many days on, the next
        # gap's twice as many…; a re-test (needs/retests.py) asks this many questions.
        "NEEDS_PLAN_STEP_DAYS": int(env.get("NEEDS_PLAN_STEP_DAYS", 30)),
        "NEEDS_RETEST_QUESTIONS": int(env.get("NEEDS_RETEST_QUESTIONS", 5)),
        # Check-in code attempts per trainee, so six-digit codes cannot be guessed.
        "CLASS_CHECKIN_RATE_LIMIT": env.get("CLASS_CHECKIN_RATE_LIMIT", "10 per minute"),
    }


def check_config(config) -> None:
    """Refuse settings that are unsafe for the configured mode."""
    if config.get("ENV_NAME") == "production" and config.get("SECRET_KEY") in ("", DEV_SECRET_KEY):
        raise ConfigError("生产模式必须设置 SECRET_KEY 环境变量（不能使用开发密钥）。")
    try:
        mastery_settings(config)
    except (KeyError, TypeError, ValueError) as error:
        raise ConfigError(f"掌握度参数不正确：{error}") from error


def mastery_settings(config) -> MasterySettings:
    """The estimator's settings from the configuration (defaults: question_bank.mastery.Settings)."""
    weights = config.get("MASTERY_SOURCE_WEIGHTS", {})
    return MasterySettings(
        half_life_days=config.get("MASTERY_HALF_LIFE_DAYS", _MASTERY.half_life_days),
        formal_weight=weights.get("formal", _MASTERY.formal_weight),
        diagnostic_weight=weights.get("diagnostic", _MASTERY.diagnostic_weight),
        practice_weight=weights.get("practice", _MASTERY.practice_weight),
        quiz_weight=weights.get("quiz", _MASTERY.quiz_weight))
