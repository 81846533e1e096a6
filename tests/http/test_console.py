"""The web console over HTTP: pages per role, login, CSRF, security headers, French, Arabic names.

Agency B (UKBF, every role) gets the bundled-style FtM sample list (with an Arabic name) and an
alert on one of its entries; agency A (DGSN) is there to check that B cannot see A's pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from agency_world import PASSWORD, AgencyWorld, actor_of
from fastapi.testclient import TestClient

from borderwatch.domain.alerts import AlertKind, AlertState, Severity
from borderwatch.domain.audit import Role
from borderwatch.http.app import create_app
from borderwatch.http.console.i18n import catalogue
from borderwatch.http.console.render import TEMPLATES, chart, name_html
from borderwatch.http.deps import SESSION_COOKIE
from borderwatch.http.security import CSRF_COOKIE
from borderwatch.services import console, review
from borderwatch.services import lists as list_service
from borderwatch.services.auth import USER_ROLES
from borderwatch.services.instance import Instance
from borderwatch.store import alerts as alert_store
from borderwatch.store import audit
from borderwatch.store import console as console_store
from borderwatch.store import lists as list_store

FTM_SAMPLE = Path(__file__).resolve().parents[1] / "data" / "lists" / "ftm_sample.jsonl"
ARABIC_NAME = "كريم يوسف الحدادي"


@dataclass
class ListedAlert:
    """An alert of agency B on the FtM sample's Karim Haddadi, with name and birth-date evidence."""

    alert_id: int
    entity_id: str


@pytest.fixture
def listed_alert(instance: Instance, agency_b: AgencyWorld) -> ListedAlert:
    system = instance.actor(channel="test", agency="UKBF")
    list_service.import_list(instance.db, system, "ftm", FTM_SAMPLE, now=datetime.now(UTC))
    with instance.db.transaction() as session:
        [found] = console_store.search_active_entries(session, system.agency_id, "Karim Yousef")
        version_id = list_store.active_version_id(session, system.agency_id, found.list_id)
        [alert_id] = alert_store.raise_alerts(
            session,
            system,
            [
                alert_store.NewAlert(
                    traveller_id=agency_b.traveller_id,
                    flight_id=agency_b.flight_id,
                    kind=AlertKind.WATCH_LIST,
                    subject=found.entry.entity_id,
                    score=0.78,
                    severity=Severity.MEDIUM,
                    reason="name ~ Karim Yousef Haddadi",
                    evidence=[
                        {
                            "feature": "name",
                            "rule": "transliteration variant",
                            "score": 0.95,
                            "traveller_value": "KAREEM",
                            "list_value": "Karim",
                            "note": "variant table: karim",
                        },
                        {
                            "feature": "name",
                            "rule": "Arabic script transliterated",
                            "score": 0.9,
                            "traveller_value": "HADDADI",
                            "list_value": "الحدادي",
                            "note": "decoded from Arabic script",
                        },
                        {
                            "feature": "birth date",
                            "rule": "same year",
                            "score": 4.713,
                            "traveller_value": "1972-05-01",
                            "list_value": "1972",
                            "note": "",
                        },
                    ],
                    list_version_id=version_id,
                    entity_hash="ab" * 32,
                )
            ],
            at=datetime.now(UTC),
        )
    return ListedAlert(alert_id, found.entry.entity_id)


def _as(client: TestClient, world: AgencyWorld, role: Role) -> TestClient:
    """Return the client with the session cookie of the agency's user holding `role` (as after login)."""
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, world.tokens[role])
    return client


def _csrf(client: TestClient, path: str = "/login") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, f"no CSRF token in {path}"
    return found.group(1)


PAGES: list[tuple[str, frozenset[Role]]] = [
    ("/", frozenset(USER_ROLES)),
    ("/alerts", frozenset({Role.OFFICER, Role.SUPERVISOR})),
    ("/alerts?state=new&state=in+review&page=1", frozenset({Role.OFFICER, Role.SUPERVISOR})),
    ("/alerts/{alert}", frozenset({Role.OFFICER, Role.SUPERVISOR})),
    ("/flights/{flight}", frozenset({Role.OFFICER, Role.SUPERVISOR})),
    ("/lists", frozenset({Role.OFFICER, Role.SUPERVISOR, Role.ADMIN})),
    ("/lists?q=haddadi", frozenset({Role.OFFICER, Role.SUPERVISOR, Role.ADMIN})),
    ("/audit", frozenset({Role.AUDITOR, Role.SUPERVISOR})),
    ("/audit/verify", frozenset({Role.AUDITOR, Role.SUPERVISOR})),
    ("/exchange", frozenset({Role.SUPERVISOR, Role.ADMIN})),
]


def test_every_page_renders_for_its_roles_and_refuses_the_others(
    client: TestClient, agency_b: AgencyWorld, listed_alert: ListedAlert
) -> None:
    for template, allowed in PAGES:
        path = template.format(alert=listed_alert.alert_id, flight=agency_b.flight_id)
        for role in USER_ROLES:
            response = _as(client, agency_b, role).get(path)
            where = f"{path} as {role.value}"
            assert response.headers["content-type"].startswith("text/html"), where
            if role in allowed:
                assert response.status_code == 200, f"{where}: {response.status_code}"
                assert re.search(r"<title>[^<]+ · borderwatch</title>", response.text), where
            else:
                assert response.status_code == 403, f"{where}: let through ({response.status_code})"
                assert "SMITH" not in response.text, where
                assert ARABIC_NAME not in response.text, where


def test_without_a_session_a_page_answers_401_with_the_login_form(client: TestClient) -> None:
    response = client.get("/alerts?state=new")
    assert response.status_code == 401
    assert 'action="/login"' in response.text
    assert 'name="next" value="/alerts?state=new"' in response.text


def test_another_agencys_alert_and_flight_are_not_found(
    client: TestClient, agency_a: AgencyWorld, agency_b: AgencyWorld
) -> None:
    officer = _as(client, agency_b, Role.OFFICER)
    for path in (f"/alerts/{agency_a.alert_id}", f"/flights/{agency_a.flight_id}"):
        response = officer.get(path)
        assert response.status_code == 404
        assert "BENALI" not in response.text


def test_console_login_sets_the_api_session_cookie_strict_http_only_and_secure(
    instance: Instance, agency_a: AgencyWorld
) -> None:
    settings = instance.settings.model_copy(update={"secure_cookies": True})
    other = Instance(settings)
    with TestClient(create_app(instance=other), base_url="https://testserver") as secure:
        token = _csrf(secure)
        response = secure.post(
            "/login",
            data={"username": "dgsn.officer", "password": PASSWORD, "csrf_token": token, "next": "/alerts"},
            follow_redirects=False,
        )
        assert (response.status_code, response.headers["location"]) == (303, "/alerts")
        cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
        for attribute in ("HttpOnly", "SameSite=strict", "Secure", "Path=/"):
            assert attribute.lower() in cookie.lower()
        assert response.headers["strict-transport-security"].startswith("max-age=")
        # The same cookie opens the API.
        assert secure.get("/api/auth/me").json()["username"] == "dgsn.officer"
        assert secure.get("/alerts").status_code == 200
    other.close()


def test_wrong_login_shows_the_form_again_and_next_never_leaves_the_site(
    client: TestClient, agency_a: AgencyWorld
) -> None:
    token = _csrf(client)
    wrong = client.post("/login", data={"username": "dgsn.officer", "password": "nope", "csrf_token": token})
    assert wrong.status_code == 401
    assert "password or agency is wrong" in wrong.text
    assert SESSION_COOKIE not in wrong.headers.get("set-cookie", "")
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = client.post(
            "/login",
            data={
                "username": "dgsn.officer",
                "password": PASSWORD,
                "csrf_token": _csrf(client),
                "next": target,
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == "/"


def test_logout_revokes_the_session(client: TestClient, agency_a: AgencyWorld) -> None:
    token = _csrf(client)
    client.post("/login", data={"username": "dgsn.officer", "password": PASSWORD, "csrf_token": token})
    assert client.get("/alerts").status_code == 200
    session = client.cookies[SESSION_COOKIE]
    out = client.post("/logout", data={"csrf_token": _csrf(client, "/")}, follow_redirects=False)
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    client.cookies.set(SESSION_COOKIE, session)  # the old cookie, replayed
    assert client.get("/alerts").status_code == 401


def test_a_form_without_or_with_a_wrong_csrf_token_is_refused_with_403(
    client: TestClient, instance: Instance, agency_b: AgencyWorld
) -> None:
    officer = _as(client, agency_b, Role.OFFICER)
    url = f"/alerts/{agency_b.alert_id}/notes"
    good = _csrf(officer, f"/alerts/{agency_b.alert_id}")
    missing = officer.post(url, data={"note": "seen"})
    # Its last two characters changed (always to others: "AA" was the good token's own 1 time in 4,096).
    altered = good[:-2] + ("BB" if good.endswith("AA") else "AA")
    assert altered != good
    wrong = officer.post(url, data={"note": "seen", "csrf_token": altered})
    for response in (missing, wrong):
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("text/html")
        assert "CSRF" in response.text
    # A token from another session does not fit this one.
    _as(client, agency_b, Role.SUPERVISOR)
    other = _csrf(client, f"/alerts/{agency_b.alert_id}")
    _as(client, agency_b, Role.OFFICER)
    assert client.post(url, data={"note": "seen", "csrf_token": other}).status_code == 403
    # The login form needs it too (login CSRF), and htmx sends it as a header.
    client.cookies.clear()
    assert client.post("/login", data={"username": "ukbf.officer", "password": PASSWORD}).status_code == 403
    _as(client, agency_b, Role.OFFICER)
    token = _csrf(client, f"/alerts/{agency_b.alert_id}")
    assert client.post(url, data={"note": "seen"}, headers={"X-CSRF-Token": token}).status_code in (200, 303)
    ok = client.post(url, data={"note": "seen twice", "csrf_token": token}, follow_redirects=False)
    assert (ok.status_code, ok.headers["location"]) == (303, f"/alerts/{agency_b.alert_id}?done=note#history")
    # Nothing was written by the refused requests.
    detail = review.get_alert(instance.db, actor_of(agency_b, Role.OFFICER), agency_b.alert_id)
    assert [e["note"] for e in detail.history if e["action"] == "note"] == ["seen", "seen twice"]


def test_the_api_with_only_the_session_cookie_needs_the_csrf_header_too(
    client: TestClient, agency_b: AgencyWorld
) -> None:
    officer = _as(client, agency_b, Role.OFFICER)
    url = f"/api/alerts/{agency_b.alert_id}/notes"
    refused = officer.post(url, json={"note": "via cookie"})
    assert refused.status_code == 403
    assert refused.json()["error"] == "AccessDeniedError"
    token = _csrf(officer, "/")
    assert officer.post(url, json={"note": "via cookie"}, headers={"X-CSRF-Token": token}).status_code == 200
    # A bearer token is not sent by browsers on their own: no CSRF token needed.
    client.cookies.clear()
    assert client.post(url, json={"note": "bearer"}, headers=agency_b.auth(Role.OFFICER)).status_code == 200


def test_security_headers_are_on_every_response(client: TestClient, agency_b: AgencyWorld) -> None:
    for path in ("/login", "/", "/static/console.css", "/health", "/api/alerts"):
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert "unsafe-eval" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "camera=()" in response.headers["permissions-policy"]
        assert "strict-transport-security" not in response.headers  # cookies are not Secure in tests
        if not path.startswith("/static/"):
            assert response.headers["cache-control"] == "no-store"
    client.cookies.clear()
    nonce = client.get("/login").headers["set-cookie"]
    assert nonce.startswith(f"{CSRF_COOKIE}=")
    assert "httponly" in nonce.lower()
    assert "samesite=strict" in nonce.lower()


def test_pages_hold_no_inline_script_or_style(
    client: TestClient, agency_b: AgencyWorld, listed_alert: ListedAlert
) -> None:
    supervisor = _as(client, agency_b, Role.SUPERVISOR)
    for path in (
        "/",
        "/alerts",
        f"/alerts/{listed_alert.alert_id}",
        f"/flights/{agency_b.flight_id}",
        "/lists",
    ):
        html = supervisor.get(path).text
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], path
        assert " style=" not in html, path
        assert "<style" not in html, path
        assert re.search(r"\son[a-z]+=", html) is None, path


def test_french_from_the_browser_the_switcher_and_the_cookie(
    client: TestClient, agency_b: AgencyWorld
) -> None:
    officer = _as(client, agency_b, Role.OFFICER)
    french = officer.get("/alerts", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert '<html lang="fr" dir="ltr">' in french.text
    assert "File des alertes" in french.text
    assert "<title>File des alertes · borderwatch</title>" in french.text
    english = officer.get("/alerts", headers={"Accept-Language": "de, en;q=0.8"})
    assert '<html lang="en" dir="ltr">' in english.text
    switched = officer.get("/alerts?lang=fr")
    assert "lang=fr" in switched.headers["set-cookie"]
    assert "Tableau de bord" in officer.get("/", headers={"Accept-Language": "en"}).text  # the cookie wins
    assert "Dashboard" in officer.get("/?lang=en").text


def test_every_interface_text_has_a_french_translation() -> None:
    used = {
        double or single
        for template in TEMPLATES.glob("*.html")
        for double, single in re.findall(r"""\bt\((?:"([^"]+)"|'([^']+)')""", template.read_text("utf-8"))
    }
    assert len(used) > 100
    french = catalogue()["fr"]
    same_in_both = {
        "action",
        "version",
        "note",
        "document",
        "documents",
        "score",
        "page {n}",
        "pages",
        "programmes",
    }
    missing = sorted(
        text
        for text in used
        if text not in french or (french[text] == text and text.lower() not in same_in_both)
    )
    assert missing == []
    for state in AlertState:
        assert french[state.value] != state.value


def test_review_page_shows_both_sides_the_alignment_and_the_arabic_name_right_to_left(
    client: TestClient, agency_b: AgencyWorld, listed_alert: ListedAlert
) -> None:
    html = _as(client, agency_b, Role.OFFICER).get(f"/alerts/{listed_alert.alert_id}").text
    assert "What the traveller presented" in html
    assert "Who they may be on the list" in html
    assert f'<bdi dir="rtl" lang="ar" class="script-ar">{ARABIC_NAME}</bdi>' in html
    assert '<bdi dir="rtl" lang="ar" class="script-ar">الحدادي</bdi>' in html  # in the alignment table
    assert "transliteration variant" in html
    assert "variant table: karim" in html
    assert "same year" in html
    assert "1972" in html
    assert listed_alert.entity_id in html
    assert "https://example.org/notices/karim-haddadi" in html or "official reference" not in html
    assert 'name="decision" value="confirm match"' in html
    assert 'name="decision" value="false positive"' in html
    assert 'name="decision" value="escalate"' in html
    assert re.search(
        r'<label for="decision-note">[^<]+</label>\s*<textarea id="decision-note" name="note"', html
    )


def test_deciding_needs_a_note_then_changes_the_status_and_is_audited(
    client: TestClient, instance: Instance, agency_b: AgencyWorld, listed_alert: ListedAlert
) -> None:
    officer = _as(client, agency_b, Role.OFFICER)
    url = f"/alerts/{listed_alert.alert_id}"
    token = _csrf(officer, url)
    empty = officer.post(f"{url}/decision", data={"decision": "escalate", "note": "  ", "csrf_token": token})
    assert empty.status_code == 422
    assert "A note is required" in empty.text
    decided = officer.post(
        f"{url}/decision",
        data={
            "decision": "escalate",
            "note": "Birth year matches; supervisor to check.",
            "csrf_token": token,
        },
    )
    assert decided.status_code == 200  # after the redirect
    assert "Decision recorded." in decided.text
    assert '<span class="badge state-escalated">escalated</span>' in decided.text
    with instance.db.transaction() as session:
        events = audit.list_events(session, agency_b.users[Role.OFFICER].agency_id, limit=50)
    escalations = [e for e in events if e.action == "alert.escalate"]
    assert escalations
    assert escalations[0].actor == "ukbf.officer@UKBF"
    assert escalations[0].channel == "http:POST /alerts/{alert_id}/decision"


def test_assignment_from_the_review_page(client: TestClient, agency_b: AgencyWorld) -> None:
    supervisor = _as(client, agency_b, Role.SUPERVISOR)
    url = f"/alerts/{agency_b.alert_id}"
    token = _csrf(supervisor, url)
    page = supervisor.post(f"{url}/assign", data={"username": "ukbf.officer", "csrf_token": token})
    assert "assigned to <strong>ukbf.officer</strong>" in page.text
    assert '<span class="badge state-in-review">in review</span>' in page.text


def test_queue_and_flight_render_arabic_traveller_names_right_to_left(
    client: TestClient, instance: Instance, agency_b: AgencyWorld
) -> None:
    import factories
    from borderwatch.store import flights as flight_store

    system = instance.actor(channel="test", agency="UKBF")
    with instance.db.transaction() as session:
        [tid], _ = flight_store.add_travellers(
            session,
            system,
            agency_b.flight_id,  # type: ignore[arg-type]
            [factories.traveller(family_name="الحدادي", given_names="كريم")],
            message_id=None,
        )
        alert_store.raise_alerts(
            session,
            system,
            [
                alert_store.NewAlert(
                    traveller_id=tid,
                    flight_id=agency_b.flight_id,
                    kind=AlertKind.WATCH_LIST,
                    subject="UN:QDi.999",
                    score=0.7,
                    severity=Severity.LOW,
                    reason="test",
                    evidence=[],
                )
            ],
            at=datetime.now(UTC),
        )
    officer = _as(client, agency_b, Role.OFFICER)
    expected = '<bdi dir="rtl" lang="ar" class="script-ar">الحدادي/كريم</bdi>'
    assert expected in officer.get("/alerts").text
    assert expected in officer.get(f"/flights/{agency_b.flight_id}").text


def test_watch_list_search_by_contained_text_and_by_the_name_index(
    client: TestClient, agency_b: AgencyWorld, listed_alert: ListedAlert
) -> None:
    officer = _as(client, agency_b, Role.OFFICER)
    contains = officer.get("/lists", params={"q": "haddadi"}).text
    assert listed_alert.entity_id in contains
    by_script = officer.get("/lists", params={"q": "كريم الحدادي"}).text
    assert listed_alert.entity_id in by_script
    assert "name index" in by_script
    assert officer.get("/lists", params={"q": "x" * 300}).status_code == 422


def test_dashboard_counts_and_chart(client: TestClient, agency_b: AgencyWorld) -> None:
    html = _as(client, agency_b, Role.OFFICER).get("/").text
    assert '<svg class="chart"' in html
    assert 'role="img"' in html
    assert "<rect " in html
    assert re.search(r'href="/alerts\?state=new">.*?<strong>1</strong>', html, re.S)


def test_chart_scales_the_busiest_day_to_full_height() -> None:
    from datetime import date

    days = [console.DayCount(date(2026, 11, d), n) for d, n in ((1, 0), (2, 5), (3, 10))]
    drawn = chart(days, width=300, height=100)
    assert [b.count for b in drawn.bars] == [0, 5, 10]
    assert drawn.bars[0].height == 0
    assert drawn.bars[2].height == pytest.approx(2 * drawn.bars[1].height)
    assert drawn.bars[2].y + drawn.bars[2].height == pytest.approx(drawn.baseline)


@pytest.mark.parametrize(
    ("name", "html"),
    [
        ("كريم", '<bdi dir="rtl" lang="ar" class="script-ar">كريم</bdi>'),
        ("BENALI/KARIM", '<bdi dir="auto">BENALI/KARIM</bdi>'),
        ("<b>x</b>", '<bdi dir="auto">&lt;b&gt;x&lt;/b&gt;</bdi>'),
    ],
)
def test_names_are_isolated_and_escaped(name: str, html: str) -> None:
    assert str(name_html(name)) == html
