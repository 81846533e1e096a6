"""The console in a real browser: log in, open an alert, compare, decide, see the status and the audit entry.

Playwright drives Debian's Chromium (`/usr/bin/chromium`, installed by `make test` when missing)
headless against `borderwatch serve`'s application on 127.0.0.1, on a temporary instance holding
the demo (UN list, flight AT800, its alerts). Screenshots of the main pages are saved to
`artifacts/screenshots/` for people to look at. Without Chromium the test skips with the reason,
except under CI=true, where it fails.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn

from borderwatch.domain.audit import Role
from borderwatch.http.app import create_app
from borderwatch.services import auth, exercises
from borderwatch.services.demo import run_demo
from borderwatch.services.instance import open_instance
from borderwatch.services.screen import match_config
from borderwatch.settings import Settings

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PASSWORD = "Tamanrasset-1987-dunes"


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing (Debian's chromium package; `make test` installs it as root)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; under CI=true the browser test must run")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def console_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The console of a demo instance, served by uvicorn in a thread; users demo.<role>."""
    _require_chromium()
    settings = Settings(data_dir=tmp_path_factory.mktemp("console") / "data", secure_cookies=False)
    run_demo(settings, now=datetime.now(UTC))
    instance = open_instance(settings)
    system = instance.actor(channel="test")
    for role in (Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR):
        auth.create_user(
            instance.db,
            system,
            username=f"demo.{role.value}",
            role=role,
            password=PASSWORD,
            full_name=f"Demo {role.value}",
            now=datetime.now(UTC),
        )
    # Training: an instructor of DGSN, and a trainee of DGSN-TRAINING named in one small exercise.
    auth.create_user(
        instance.db,
        system,
        username="demo.instructor",
        role=Role.INSTRUCTOR,
        password=PASSWORD,
        now=datetime.now(UTC),
    )
    exercises.start_generated_exercise(
        instance.db,
        system,
        route="CMN-LHR",
        passengers=40,
        difficulty="easy",
        seed=7,
        trainees=["demo.trainee"],
        scenarios_dir=settings.data_dir / "training" / "scenarios",
        config=match_config(settings),
        now=datetime.now(UTC),
    )
    trainer = exercises.training_actor(instance.db, system)
    auth.create_user(
        instance.db,
        trainer,
        username="demo.trainee",
        role=Role.TRAINEE,
        password=PASSWORD,
        now=datetime.now(UTC),
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(instance=instance), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the console did not start within 20 s"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    instance.close()


def _shot(page: object, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def _log_in(page: object, base: str, username: str, agency: str = "") -> None:
    page.goto(f"{base}/login")  # type: ignore[attr-defined]
    page.get_by_label("Username").fill(username)  # type: ignore[attr-defined]
    page.get_by_label("Password").fill(PASSWORD)  # type: ignore[attr-defined]
    if agency:
        page.get_by_label(re.compile("Agency")).fill(agency)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Log in").click()  # type: ignore[attr-defined]


def test_officer_reviews_and_decides_an_alert_and_the_auditor_sees_it(console_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
        page = context.new_page()
        blocked: list[str] = []
        page.on(
            "console",
            lambda m: (
                blocked.append(page.url + " " + m.text[:60]) if "Content Security Policy" in m.text else None
            ),
        )

        # A page asked for before logging in answers with the login form, and comes back after it.
        page.goto(f"{console_url}/alerts")
        expect(page).to_have_title(re.compile("Log in"))
        _shot(page, "01-login")
        page.get_by_label("Username").fill("demo.officer")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(f"{console_url}/alerts")
        expect(page.get_by_role("heading", name=re.compile("Alert queue"))).to_be_visible()
        _shot(page, "03-alert-queue")

        # Keyboard: j moves to the first row, j again to the second, k back, Enter opens it.
        page.keyboard.press("j")
        page.keyboard.press("j")
        page.keyboard.press("k")
        first = page.locator("[data-queue-row]").first
        expect(first).to_be_focused()
        alert_id = first.locator("a").inner_text().strip()
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{console_url}/alerts/{alert_id}")
        expect(page).to_have_title(re.compile(f"Alert #{alert_id}"))

        # Compare: traveller and listed entity side by side, the names aligned, the Arabic original.
        expect(page.get_by_role("heading", name="What the traveller presented")).to_be_visible()
        expect(page.get_by_role("heading", name="Who they may be on the list")).to_be_visible()
        expect(page.locator("table.align tbody tr").first).to_be_visible()
        arabic = page.locator('bdi[dir="rtl"][lang="ar"]').first
        expect(arabic).to_be_visible()
        assert page.evaluate("e => getComputedStyle(e).direction", arabic.element_handle()) == "rtl"
        expect(page.get_by_text("UN reference number")).to_be_visible()
        _shot(page, "04-alert-review")

        # Decide: the note is required (the browser refuses the empty form), then the status changes.
        state_before = page.locator("h1 .badge").first.inner_text()
        page.get_by_role("button", name="False positive").click()
        expect(page).to_have_url(f"{console_url}/alerts/{alert_id}")
        assert page.locator("h1 .badge").first.inner_text() == state_before
        page.get_by_label("Note (required): what you checked, and why").fill(
            "Passport photo and birth place checked against the UN notice: not the listed person."
        )
        page.get_by_role("button", name="False positive").click()
        expect(page.get_by_role("status")).to_have_text("Decision recorded.")
        expect(page.locator("h1 .badge").first).not_to_have_text(state_before)
        new_state = page.locator("h1 .badge").first.inner_text()
        assert new_state in ("pending approval", "false positive")
        expect(page.locator("#history")).to_contain_text("not the listed person")
        _shot(page, "05-alert-decided")

        # The flight's manifest and the watch-list search (Arabic script finds the Latin entry).
        page.get_by_role("link", name=re.compile("AT800")).first.click()
        expect(page.locator("table.manifest")).to_be_visible()
        _shot(page, "06-flight")
        page.goto(f"{console_url}/lists?q=" + "عبد القادر")
        expect(page.locator("table.results")).to_contain_text("UN:QDi.190")
        _shot(page, "07-watch-lists")
        page.goto(f"{console_url}/")
        expect(page.locator("svg.chart")).to_be_visible()
        _shot(page, "02-dashboard")
        page.goto(f"{console_url}/alerts/{alert_id}?lang=fr")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.get_by_role("heading", name="Ce que le voyageur a présenté")).to_be_visible()
        _shot(page, "08-alert-review-fr")
        page.goto(f"{console_url}/?lang=en")
        page.get_by_role("button", name="Log out").click()
        expect(page).to_have_url(f"{console_url}/login")

        # The auditor finds the decision in the trail, by the officer, through the console's endpoint.
        _log_in(page, console_url, "demo.auditor")
        page.goto(f"{console_url}/audit?action=alert.propose")
        if new_state == "false positive":
            page.goto(f"{console_url}/audit?action=alert.decide")
        row = page.locator("table.audit tbody tr").first
        expect(row).to_contain_text("demo.officer@DGSN")
        expect(row).to_contain_text(f"alert {alert_id}")
        expect(row).to_contain_text("http:POST /alerts/{alert_id}/decision")
        _shot(page, "09-audit")
        page.goto(f"{console_url}/audit/verify")
        expect(page.get_by_role("status")).to_contain_text("intact")
        assert blocked == [], f"the content security policy blocked: {blocked}"
        browser.close()


def test_a_trainee_works_through_the_exercise_queue_and_the_instructor_reads_the_outcome(
    console_url: str,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
        page = context.new_page()
        blocked: list[str] = []
        page.on(
            "console",
            lambda m: (
                blocked.append(page.url + " " + m.text[:60]) if "Content Security Policy" in m.text else None
            ),
        )

        # The trainee (a user of the training tenant) goes from the dashboard to their exercise's queue.
        _log_in(page, console_url, "demo.trainee", agency="DGSN-TRAINING")
        page.get_by_role("link", name=re.compile("My exercises: work through")).click()
        expect(page.get_by_role("heading", name="My exercises")).to_be_visible()
        page.locator("table.exercises tbody a").first.click()
        expect(page.get_by_role("heading", name=re.compile("My alert queue"))).to_be_visible()
        expect(page.locator("[data-queue-row]").first).to_contain_text("to decide")
        _shot(page, "10-training-queue")

        # The same keyboard navigation as the live queue: j, j, k, Enter opens the first alert.
        page.keyboard.press("j")
        page.keyboard.press("j")
        page.keyboard.press("k")
        first = page.locator("[data-queue-row]").first
        expect(first).to_be_focused()
        alert_id = first.locator("a").inner_text().strip()
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(f"/training/exercises/\\d+/alerts/{alert_id}$"))
        expect(page.get_by_role("heading", name="What the traveller presented")).to_be_visible()
        expect(page.get_by_role("heading", name="Who they may be on the list")).to_be_visible()
        page.get_by_label("Note: what you checked, and why").fill("Birth date and nationality agree.")
        page.get_by_role("button", name="Confirm match").click()
        expect(page.get_by_role("status")).to_have_text("Decision recorded.")
        expect(page.locator("#decide")).to_contain_text("Birth date and nationality agree.")
        _shot(page, "11-training-alert")
        page.get_by_role("link", name="Back to my queue").click()
        expect(page.locator("[data-queue-row]").first).to_contain_text("confirm match")
        page.get_by_role("button", name="Log out").click()

        # The instructor sees the trainee's decision counted in the summary.
        _log_in(page, console_url, "demo.instructor")
        page.goto(f"{console_url}/training")
        page.locator("table.exercises tbody a").first.click()
        expect(page.locator("table.scores")).to_contain_text("demo.trainee")
        _shot(page, "12-training-summary")
        # The debrief's inline style is allowed by its hash: the browser applies it, and blocks nothing.
        page.get_by_role("link", name="Debrief report").click()
        expect(page.get_by_role("heading", name=re.compile("Debrief:"))).to_be_visible()
        table = page.locator("table#trainees")
        assert page.evaluate("e => getComputedStyle(e).borderCollapse", table.element_handle()) == "collapse"
        assert page.evaluate("() => document.images[0].naturalWidth") > 0  # the charts are data: PNGs
        _shot(page, "13-training-debrief")
        assert blocked == [], f"the content security policy blocked: {blocked}"
        browser.close()
