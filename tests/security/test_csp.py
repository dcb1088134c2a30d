"""Content-Security-Policy on every page, the admin included, and no inline code anywhere that
the policy would have to allow."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.security.pages import build_site, inline_code

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_strict_policy(url: str, response) -> None:
    assert response.status_code == 200, (url, response.status_code)
    policy = directives(response)
    scripts = policy.get("script-src", policy["default-src"])
    assert scripts == ["'self'"], (url, scripts)
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert not [d for d in ("script-src-attr", "script-src-elem") if d in policy]


def check_pages(client, urls: list[str]) -> dict[str, list[str]]:
    found = {}
    for url in urls:
        response = client.get(url)
        assert_strict_policy(url, response)
        if code := inline_code(response.content.decode()):
            found[url] = code
    return found


@pytest.fixture
def site():
    return build_site()


def test_public_pages_and_forms_have_the_policy_and_no_inline_code(client, site):
    assert check_pages(client, site.public_pages()) == {}


def test_speaker_and_reviewer_pages_have_the_policy_and_no_inline_code(client, site):
    client.force_login(site.speaker)
    assert check_pages(client, site.speaker_pages()) == {}
    client.force_login(site.reviewer)
    assert check_pages(client, site.reviewer_pages()) == {}


def test_admin_pages_have_the_policy_and_no_inline_code(admin_client, site):
    assert check_pages(admin_client, site.admin_pages()) == {}


def test_error_pages_have_the_policy_too(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert directives(response)["script-src"] == ["'self'"]


def test_the_inline_code_finder_finds_inline_code():
    page = """<html><body>
      <script>alert(1)</script>
      <script type="module">import("x")</script>
      <script src="/static/ok.js"></script>
      <script type="application/json" id="data">{"a": 1}</script>
      <button onclick="go()">Go</button>
      <a href=" JavaScript:go()">go</a>
      <img src="x.png" alt="">
    </body></html>"""
    assert inline_code(page) == [
        "<script> without src",
        "<script> body: alert(1)",
        "<script> without src",
        '<script> body: import("x")',
        "<button onclick=…>",
        "<a href=javascript:…>",
    ]


def template_files() -> list[Path]:
    roots = [Path(django_settings.BASE_DIR) / "templates"]
    roots += [
        Path(django_settings.BASE_DIR) / app / "templates"
        for app in ("accounts", "workshops", "registration", "submissions")
    ]
    return [path for root in roots if root.is_dir() for path in root.rglob("*.html")]


INLINE_IN_TEMPLATE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:", re.IGNORECASE
)


def test_no_template_holds_inline_script():
    templates = template_files()
    assert len(templates) > 20
    offenders = {
        str(path.relative_to(django_settings.BASE_DIR)): INLINE_IN_TEMPLATE.findall(
            path.read_text()
        )
        for path in templates
    }
    assert {path: hits for path, hits in offenders.items() if hits} == {}
