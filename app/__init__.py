"""The Flask application factory."""

import os

from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure an instance of the app."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)

    from app import clock
    from app.config import build_config, check_config

    app.config.from_mapping(build_config(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    check_config(app.config)
    clock.init_app(app)  # before Babel and Celery read the zone

    _init_extensions(app)
    _init_areas(app)

    from app import cli, errors, formkit, qtypes, rendering, scheduler, security

    errors.init_app(app)
    formkit.init_app(app)  # control characters in any form or query value: 400 before any view
    security.init_app(app)
    rendering.init_app(app)
    qtypes.init_app(app)
    scheduler.init_app(app)
    cli.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    from app import models  # noqa: F401 - registers every table on the metadata
    from app.auth.sessions import init_login
    from app.celery_app import celery_init_app
    from app.extensions import (
        babel,
        bootstrap,
        configure_sqlite,
        csrf,
        db,
        limiter,
        migrate,
    )

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    init_login(app)
    celery_init_app(app)
    if app.config["PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)


def _init_areas(app: Flask) -> None:
    """Register every area's blueprint `bp` and call its `init_app` (event subscriptions), if any."""
    from app import (
        api,
        auth,
        bank,
        classes,
        curriculum,
        exams,
        main,
        me,
        messages,
        needs,
        org,
        study,
    )

    for area in (main, auth, me, messages, org, curriculum, study, bank, classes, exams, needs, api):
        if hasattr(area, "register"):
            area.register(app)  # an area whose blueprint registers through its own extension (api)
        else:
            app.register_blueprint(area.bp)
        if hasattr(area, "init_app"):
            area.init_app(app)
