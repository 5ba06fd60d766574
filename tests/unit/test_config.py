"""Configuration defaults and the production safety check."""

import pytest

from app.config import DEV_SECRET_KEY, ConfigError, build_config, check_config


def test_defaults_serve_the_embedded_mode(tmp_path):
    config = build_config(str(tmp_path), env={})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'xunlian.sqlite3'}"
    assert config["CELERY"]["task_always_eager"] is True
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["BOOTSTRAP_SERVE_LOCAL"] is True
    assert config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Shanghai"
    assert config["WTF_CSRF_TIME_LIMIT"] >= 3 * 3600


@pytest.mark.parametrize(
    "raw", ["postgresql://u@h/db", "postgres://u@h/db", "postgresql+psycopg://u@h/db"]
)
def test_database_url_switches_to_postgresql_with_psycopg3(tmp_path, raw):
    config = build_config(str(tmp_path), env={"DATABASE_URL": raw})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_redis_url_switches_celery_and_the_limiter_to_redis(tmp_path):
    config = build_config(str(tmp_path), env={"REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert config["CELERY"]["broker_url"] == "redis://127.0.0.1:6379/0"
    assert config["CELERY"]["task_always_eager"] is False
    assert config["CELERY"]["task_acks_late"] and config["CELERY"]["task_reject_on_worker_lost"]
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize("secret", ["", DEV_SECRET_KEY])
def test_production_refuses_the_development_secret(secret):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        check_config({"ENV_NAME": "production", "SECRET_KEY": secret})


def test_production_starts_with_a_real_secret():
    check_config({"ENV_NAME": "production", "SECRET_KEY": "a-long-random-value"})
