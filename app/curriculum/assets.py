"""Lesson images: where they live, how uploads are checked, and Markdown with working image URLs.

Images from course_content are referenced relative to the course folder (`images/x.png`) and read
from the content root; images uploaded in the browser are referenced as `assets/<name>` and stored
under `instance/lesson_assets/<course slug>/`. Both are served by `curriculum.asset`.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app, url_for
from markupsafe import Markup
from sqlalchemy import select

from app.curriculum.services import may_see_course
from app.errors import NotFound
from app.extensions import db
from app.models import Course, Person
from app.rendering import ImageUrl, render_markdown, render_with_contents

IMAGE_TYPES = {  # extension -> magic bytes at the start of the file
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),
}
MIMETYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
             "webp": "image/webp"}
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
UPLOAD_PREFIX = "assets/"
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def content_root(app: Flask | None = None) -> Path:
    """Return the course_content directory (config CONTENT_ROOT, else the repository's)."""
    app = app or current_app
    return Path(app.config.get("CONTENT_ROOT") or Path(app.root_path).parent / "course_content")


def upload_dir(slug: str) -> Path:
    """Return the folder holding the images uploaded for a course (config LESSON_ASSETS_DIR)."""
    base = current_app.config.get("LESSON_ASSETS_DIR") or Path(current_app.instance_path) / "lesson_assets"
    return Path(base) / slug


def asset_location(slug: str, path: str) -> tuple[Path, str] | None:
    """Return (folder, relative file name) for an image path of a course, or None if not allowed."""
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if not SLUG.fullmatch(slug) or suffix not in IMAGE_TYPES:
        return None
    if path.startswith(UPLOAD_PREFIX):
        return upload_dir(slug), path[len(UPLOAD_PREFIX):]
    return content_root() / "courses" / slug, path


def visible_asset(person_id: int, slug: str, path: str) -> tuple[Path, str, str]:
    """Return (folder, file name, mimetype) of a course image the person may see, else NotFound.

    The same answer for a course that does not exist and one the person may not see."""
    location = asset_location(slug, path)
    person = db.session.get(Person, person_id)
    course = db.session.scalar(select(Course).where(Course.slug == slug)) if location else None
    if location is None or person is None or not may_see_course(person, course):
        raise NotFound("图片不存在。")
    folder, name = location
    return folder, name, MIMETYPES[name.rsplit(".", 1)[-1].lower()]


def image_problem(filename: str, data: bytes) -> str | None:
    """Return why an uploaded image is refused (type, content or size), or None."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in IMAGE_TYPES:
        return "只支持 PNG、JPG、GIF、WEBP 格式的图片。"
    if not data:
        return "图片文件是空的。"
    limit = current_app.config.get("LESSON_IMAGE_MAX_BYTES", DEFAULT_MAX_BYTES)
    if len(data) > limit:
        return f"图片不能超过 {limit // 1024} KB。"
    webp_ok = suffix != "webp" or data[8:12] == b"WEBP"
    if not any(data.startswith(magic) for magic in IMAGE_TYPES[suffix]) or not webp_ok:
        return "文件内容与图片格式不符，请上传真实的图片文件。"
    return None


def stored_name(filename: str, data: bytes) -> str:
    """Return the file name an upload is stored under: a content hash, so names are safe and unique."""
    suffix = filename.rsplit(".", 1)[-1].lower()
    return f"{hashlib.sha256(data).hexdigest()[:16]}.{'jpg' if suffix == 'jpeg' else suffix}"


def relative_image(src: str) -> str | None:
    """Return the normalised course-relative path of an image src, or None if it is not one."""
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or src.startswith(("/", "#")) or not parts.path:
        return None
    path = posixpath.normpath(unquote(parts.path))
    return None if path.startswith("..") or path.startswith("/") else path


def _asset_urls(slug: str) -> ImageUrl:
    """Return a function giving a course-relative image's URL on the asset route (None for others)."""

    def image_url(src: str) -> str | None:
        path = relative_image(src)
        return None if path is None else url_for("curriculum.asset", slug=slug, path=path)

    return image_url


def render_lesson_body(slug: str, body: str | None) -> Markup:
    """Render a lesson's Markdown with relative image paths pointing at the asset route."""
    return render_markdown(body, image_url=_asset_urls(slug))


def without_title(body: str | None, title: str) -> str:
    """Drop a leading `# heading` that repeats the lesson title (the page shows the title)."""
    text = (body or "").lstrip()
    first, _, rest = text.partition("\n")
    if first.startswith("# ") and first[2:].strip() == title.strip():
        return rest
    return body or ""


def render_lesson(lesson) -> Markup:
    """Render a Lesson's body to safe HTML whose images load through the asset route."""
    return render_lesson_body(lesson.course.slug, without_title(lesson.body, lesson.title))


def render_lesson_with_contents(lesson) -> tuple[Markup, list[tuple[str, str, str]]]:
    """Render a Lesson like `render_lesson`, its h2/h3 headings anchored; also return (level, anchor, text)."""
    return render_with_contents(without_title(lesson.body, lesson.title), image_url=_asset_urls(lesson.course.slug))
