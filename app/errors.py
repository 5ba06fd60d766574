"""Domain exceptions and the one place they become HTTP responses."""

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError


class DomainError(Exception):
    """A rule of the domain was broken; the message is shown to the user (Chinese)."""

    status_code = 400

    def __init__(self, message: str, **extra):
        super().__init__(message)
        self.message = message
        self.extra = extra  # more fields for a JSON answer (e.g. the stored `seq` of a stale save)


class NotFound(DomainError):
    """The object does not exist, or lies outside the user's scope (no existence leak)."""

    status_code = 404


class Forbidden(DomainError):
    """The user's role does not allow this."""

    status_code = 403


class Conflict(DomainError):
    """The change conflicts with the current state."""

    status_code = 409


class Unprocessable(DomainError):
    """A well-formed request whose content is invalid (e.g. an answer of the wrong shape)."""

    status_code = 422


MESSAGES = {
    400: "请求有误，请检查后重试。",
    401: "请先登录。",
    403: "您没有权限访问此页面。",
    404: "页面不存在，或不在您的管理范围内。",
    405: "不支持该请求方式。",
    409: "操作与当前数据冲突，请刷新后重试。",
    422: "提交的内容不符合要求。",
    413: "上传的文件过大。",
    429: "操作过于频繁，请稍后再试。",
    500: "服务器内部错误，请稍后重试；如果问题持续，请联系管理员。",
}


def _respond(status: int, message: str | None = None, extra: dict | None = None):
    message = message or MESSAGES.get(status, MESSAGES[500])
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return jsonify(**(extra or {}), error=message, status=status), status
    return render_template("errors/error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    """Register the handlers for HTTP errors, CSRF failures and domain errors."""

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        return _respond(error.status_code, error.message, error.extra)

    @app.errorhandler(CSRFError)
    def _csrf_error(_error):
        return _respond(400, "页面已过期或请求来源无法验证（CSRF 校验失败），请刷新页面后重试。")

    for status in (400, 401, 403, 404, 405, 413, 429):
        app.register_error_handler(status, lambda _e, s=status: _respond(s))

    @app.errorhandler(422)
    def _unprocessable(error):
        """A request body that failed its schema (webargs puts the fields in `data.messages`)."""
        messages = (getattr(error, "data", None) or {}).get("messages") or {}
        names = sorted({str(name) for per_location in messages.values() if isinstance(per_location, dict)
                        for name in per_location})
        return _respond(422, f"请求内容不符合要求：{'、'.join(names)} 有误。" if names else None)

    @app.errorhandler(500)
    def _server_error(_error):
        from app.extensions import db

        db.session.rollback()
        return _respond(500)

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def _number_out_of_range(error):
        """A number in the request too big for the database's integers (SQLite raises OverflowError,
        PostgreSQL 'integer out of range') is bad input, not a server fault."""
        from app.extensions import db

        db.session.rollback()
        if isinstance(error, DataError) and "out of range" not in str(error.orig):
            app.logger.exception("database refused a value", exc_info=error)
            return _respond(500)
        return _respond(400, "请求中的数字超出范围，请检查后重试。")
