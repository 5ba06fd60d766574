"""Security headers on every response, set in one place (`init_app`).

Everything is served from this origin (Bootstrap, htmx and app.js are local), so the policy allows
'self' only. Scripts never run inline: page scripts are static files reading `data-` attributes, and
no template carries an event handler attribute. Styles allow 'unsafe-inline' for the `style=`
attributes of progress bars and the check-in code page (and htmx's indicator style); images allow
`data:` for Bootstrap's SVG icons. A view may set a header itself; this only fills in what is missing.
"""

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)
