"""Security headers, cookies, CSRF meta tag, deny-by-default, and no inline script or style in pages."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

import pytest

from tests.conftest import sample_path
from tests.factories import PASSWORD
from uof.security import PUBLIC_ENDPOINTS

# The pages to check, as the officer (who is also an admin), plus the first section of a new draft and its
# check-your-answers page, and the start page of someone who does not record.
PAGES = ["/login", "/reports", "/record", "/record/device", "/reports/{report_id}", "/admin/policy",
         "/no-such-page"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


@pytest.fixture
def people(make):
    make.team()
    officer = make.user("pc.one@example.org", "officer", "admin", teams=("Birmingham Central A",),
                        force_number="1234")
    make.user("acc@example.org", "governance")
    report_id = make.report(officer)
    return officer, report_id


def logged_in(app, email):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code in (302, 303)
    return client


def is_document(response) -> bool:
    return response.mimetype == "text/html" and "<html" in response.get_data(as_text=True)


def html_pages(app, people):
    """(path, response) for each page to check; every one must be a full HTML document."""
    _, report_id = people
    client = logged_in(app, "pc.one@example.org")
    found = [("/login", app.test_client().get("/login"))]
    for path in PAGES[1:]:
        found.append((path, client.get(path.format(report_id=report_id))))
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', found[1][1].get_data(as_text=True)).group(1)
    started = client.post("/record", data={"csrf_token": token})
    assert started.status_code in (302, 303)
    section = started.headers["Location"].split("#")[0]
    found.append(("first section", client.get(section)))
    draft = "/".join(section.split("/")[:3])
    found.append(("check your answers", client.get(f"{draft}/check")))
    found.append(("home of a non-recorder", logged_in(app, "acc@example.org").get("/")))
    for path, response in found:
        assert response.status_code == (404 if path == "/no-such-page" else 200), (path, response.status_code)
        assert is_document(response), path
    return found


def test_every_html_page_carries_the_csrf_meta_tag(app, people):
    pages = html_pages(app, people)
    assert len(pages) == len(PAGES) + 3
    for path, response in pages:
        html = response.get_data(as_text=True)
        assert re.search(r'<meta name="csrf-token" content="[^"]+">', html), path


def test_error_pages_carry_the_csrf_meta_tag_too(app, client):
    for response in (client.get("/logout"), client.post("/login", data={"username": "x", "password": "y"})):
        assert response.status_code in (400, 405)
        assert '<meta name="csrf-token" content="' in response.get_data(as_text=True)


def test_no_inline_script_style_or_event_handlers(app, people):
    for path, response in html_pages(app, people):
        html = response.get_data(as_text=True)
        assert not INLINE_SCRIPT.search(html), path
        assert 'style="' not in html, path
        assert "<style" not in html.lower(), path
        assert not INLINE_HANDLER.search(html), path
        assert "javascript:" not in html.lower(), path


def check_headers(response):
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_security_headers_on_pages_api_errors_and_redirects(app, client, people):
    responses = [
        client.get("/login"),
        client.get("/reports"),                 # redirect to login
        client.get("/api/v1/session"),           # 401 JSON
        client.get("/api/v1/openapi.json"),
        client.get("/logout"),                   # 405 page
        client.get("/static/css/app.css"),
    ]
    own = logged_in(app, "pc.one@example.org")
    responses += [own.get("/api/v1/form"), own.get("/no-such-page"), own.get("/api/v1/reports?mine=1")]
    for response in responses:
        check_headers(response)
        response.close()


def test_pages_with_personal_data_are_not_cached(app, people):
    own = logged_in(app, "pc.one@example.org")
    for path in ("/api/v1/session", f"/api/v1/reports/{people[1]}", "/reports"):
        assert own.get(path).headers["Cache-Control"] == "no-store", path


def test_no_strict_transport_security_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_session_cookie_is_httponly_and_samesite_lax(client):
    response = client.get("/login")
    cookies = [header for header in response.headers.getlist("Set-Cookie") if header.startswith("uof=")]
    assert cookies, response.headers
    cookie = SimpleCookie()
    cookie.load(cookies[0])
    morsel = cookie["uof"]
    assert morsel["httponly"]
    assert morsel["samesite"].lower() == "lax"
    assert morsel["path"] == "/"


def test_deny_by_default(app, client):
    """Every route not meant for the public sends an anonymous visitor to /login (HTML) or gets 401 (API)."""
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.startswith("public."):
            continue
        path = sample_path(app, rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method)
            if path.startswith("/api/"):
                assert response.status_code == 401, (method, path)
            else:
                assert response.status_code == 302, (method, path, response.status_code)
                assert response.headers["Location"].startswith("/login"), (method, path)
            checked += 1
    assert checked >= 5


def test_an_anonymous_get_remembers_where_it_was_going(client):
    response = client.get("/reports?page=2")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/reports?page%3D2"


def test_the_login_form_needs_a_csrf_token(client, make):
    make.team()
    make.user("pc.one@example.org", "officer", teams=("Birmingham Central A",))
    response = client.post("/login", data={"username": "pc.one@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/api/v1/session").status_code == 401
