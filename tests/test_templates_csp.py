"""The site's Content-Security-Policy allows styles from its own stylesheets only (style-src
'self', see CONTENT_SECURITY_POLICY): a ``style`` attribute or a ``<style>`` block in a page is
refused by the browser. The project's templates have neither; their styles are classes in the
stylesheets under static/.

E-mails are the exception: they are not pages of the site, so the policy does not apply to them,
and mail clients drop stylesheets and most ``<style>`` blocks, so inline styles are the only ones
they show."""

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

INLINE_STYLE = re.compile(r"<style\b|<[^>]*\sstyle\s*=", re.IGNORECASE)
# Sent by e-mail, never served as a page (see above).
EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"


def project_template_dirs() -> list[Path]:
    """The template directories of the project and of its own apps (not of installed
    packages)."""
    base = Path(settings.BASE_DIR)
    dirs = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    dirs += [
        Path(config.path) / "templates"
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(base)
        and not Path(config.path).is_relative_to(base / ".venv")
    ]
    return [d for d in dirs if d.is_dir()]


def page_templates() -> list[Path]:
    return sorted(
        path
        for directory in project_template_dirs()
        for path in directory.rglob("*.html")
        if not path.is_relative_to(EMAILS)
    )


def style_lines(text: str) -> list[int]:
    """The lines of ``text`` where a style attribute or a ``<style>`` block starts."""
    return [text.count("\n", 0, match.start()) + 1 for match in INLINE_STYLE.finditer(text)]


def test_no_page_template_has_a_style_attribute_or_a_style_block():
    templates = page_templates()

    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}:{line}"
        for path in templates
        for line in style_lines(path.read_text(encoding="utf-8"))
    ]

    # The pages of the portal, the admin and the apps' own templates are all looked at.
    names = {path.relative_to(settings.BASE_DIR).as_posix() for path in templates}
    assert "templates/portal/_mode.html" in names
    assert "templates/admin/base_site.html" in names
    assert "returns_portal/templates/admin/returns_portal/apitoken/issued.html" in names
    assert offenders == []


def test_the_check_finds_style_attributes_and_blocks_but_not_look_alikes():
    page = '<p>\n<code id="token"\n  style="font-size: 1.2em">x</code>\n<STYLE>p{}</STYLE>\n'
    look_alikes = '<p class="style-free" data-style="x">The style = plain text</p>'

    assert style_lines(page) == [2, 4]
    assert style_lines(look_alikes) == []
