"""HTML → PDF (WeasyPrint) with an embedded CJK font and no network.

Every printable document (an exam paper, its answer key, an attempt for the person's file) is an
HTML page rendered by Jinja and turned into PDF bytes here. The Chinese font is a file found on the
server at run time (the Debian path of 文泉驿微米黑, else the first font fontconfig lists for
Chinese) and embedded through `@font-face`, so the PDF reads the same on any machine. Without one,
`NoCjkFont` says so in Chinese instead of printing empty boxes.

The fetcher refuses anything that is not a local file under the font's folder or the app's static
folder (no http, ftp, or file elsewhere on the disk): a question's text cannot make the server
fetch a URL while it prints. A refused resource is left out of the PDF (WeasyPrint logs it).
WeasyPrint (and its Pango) is imported on first use, so the app starts without it.
"""

from __future__ import annotations

import shutil
import subprocess  # noqa: S404 - fc-list with fixed arguments, no shell
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from app.errors import DomainError

KNOWN_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
               "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
FONT_FAMILY = "PrintCJK"
NO_FONT = ("服务器上没有安装中文字体，无法生成 PDF（否则中文会显示成方框）。"
           "请联系系统管理员安装中文字体（如文泉驿微米黑）后再打印。")


class NoCjkFont(DomainError):
    """No font on the server can show Chinese."""

    status_code = 503


def _listed_cjk_font() -> str | None:
    """The first font file fontconfig lists as covering Chinese, if fontconfig is there."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listed = subprocess.run([fc_list, ":lang=zh", "file"], capture_output=True, text=True,  # noqa: S603
                                timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = sorted(line.strip().rstrip(":") for line in listed.splitlines() if line.strip())
    return files[0] if files else None


@lru_cache(maxsize=1)
def cjk_font() -> Path | None:
    """The CJK font file to embed (looked up once per process), or None when there is none."""
    for candidate in KNOWN_FONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    listed = _listed_cjk_font()
    return Path(listed) if listed and Path(listed).is_file() else None


def font_face_css(font: Path) -> str:
    """The @font-face rule that embeds the font, and the body's font."""
    return (f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{font.as_uri()}"); }}\n'
            f'html {{ font-family: "{FONT_FAMILY}", sans-serif; }}\n')


def _inside(path: Path, roots: tuple[Path, ...]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def local_fetcher(roots: tuple[Path, ...]):
    """A WeasyPrint URL fetcher that fetches only local files under `roots` (and data: URLs)."""
    from weasyprint.urls import URLFetcher

    resolved = tuple(root.resolve() for root in roots)

    class LocalOnly(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise ValueError(f"refused (not a local file): {url[:200]}")
            path = Path(unquote(parts.path)).resolve()
            if not _inside(path, resolved):
                raise ValueError(f"refused (outside the allowed folders): {url[:200]}")
            return super().fetch(url, headers)

    return LocalOnly(allowed_protocols=("file", "data"), allow_redirects=False)


def html_to_pdf(html: str, *, base_dir: str | Path) -> bytes:
    """The PDF of an HTML page; relative URLs resolve in `base_dir`, which the fetcher allows too.

    The page's own CSS comes from the HTML (its <title> becomes the PDF's), the font's @font-face is
    added here. Raises `NoCjkFont`.
    """
    font = cjk_font()
    if font is None:
        raise NoCjkFont(NO_FONT)
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    base = Path(base_dir)
    fetcher = local_fetcher((font.parent, base))
    fonts = FontConfiguration()
    document = HTML(string=html, base_url=str(base.resolve()) + "/", url_fetcher=fetcher)
    css = CSS(string=font_face_css(font), font_config=fonts, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[css], font_config=fonts)
