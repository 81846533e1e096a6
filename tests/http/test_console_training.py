"""Training pages of the console: an instructor starts an exercise from the form and reads the outcome
and the debrief; trainees work through their own queue and decide; nobody else gets in.

The instructor is a user of the live agency DGSN and acts in its training tenant DGSN-TRAINING,
where the trainees amina and tom (named in the exercise) and zoe (not named) are users. The
exercise is a generated 40-passenger flight, ingested and screened like a live one.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from agency_world import PASSWORD, AgencyWorld
from fastapi.testclient import TestClient

from borderwatch.domain.alerts import AlertState, Decision
from borderwatch.domain.audit import Actor, Role
from borderwatch.http.deps import SESSION_COOKIE
from borderwatch.services import auth, exercises, review
from borderwatch.services.instance import Instance
from borderwatch.store.users import User

FORM = {"route": "CMN-CDG", "passengers": "40", "difficulty": "easy", "seed": "5", "trainees": "amina,\ntom"}


@dataclass
class Training:
    """DGSN's users for training: tokens by user name, the training tenant's actor, the live officer."""

    tokens: dict[str, str]
    trainer: Actor
    live_alert: int


@pytest.fixture
def training(instance: Instance, agency_b: AgencyWorld) -> Training:
    now = datetime.now(UTC)
    system = instance.actor(channel="test")
    trainer = exercises.training_actor(instance.db, system)
    users: list[User] = [
        auth.create_user(
            instance.db, system, username=f"dgsn.{role.value}", role=role, password=PASSWORD, now=now
        )
        for role in (Role.INSTRUCTOR, Role.AUDITOR, Role.SUPERVISOR)
    ]
    users += [
        auth.create_user(instance.db, trainer, username=name, role=Role.TRAINEE, password=PASSWORD, now=now)
        for name in ("amina", "tom", "zoe")
    ]
    secret = instance.secret()
    tokens = {u.username: auth.issue_token(secret, u, now=now, minutes=60).token for u in users}
    tokens["ukbf.officer"] = agency_b.tokens[Role.OFFICER]
    tokens["ukbf.auditor"] = agency_b.tokens[Role.AUDITOR]
    tokens["ukbf.trainee"] = agency_b.tokens[Role.TRAINEE]
    return Training(tokens, trainer, live_alert=agency_b.alert_id)


def _as(client: TestClient, training: Training, username: str) -> TestClient:
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, training.tokens[username])
    return client


def _csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, f"no CSRF token in {path}"
    return found.group(1)


def _start(client: TestClient, training: Training) -> int:
    instructor = _as(client, training, "dgsn.instructor")
    token = _csrf(instructor, "/training/new")
    started = instructor.post(
        "/training/exercises", data={**FORM, "csrf_token": token}, follow_redirects=False
    )
    assert started.status_code == 303, started.text
    found = re.fullmatch(r"/training/exercises/(\d+)\?done=start", started.headers["location"])
    assert found, started.headers["location"]
    return int(found.group(1))


@pytest.fixture
def exercise_id(client: TestClient, training: Training) -> int:
    return _start(client, training)


def _queue_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-queue-row[^>]*>\s*<td><a href="[^"]+/alerts/(\d+)"', html)]


def test_instructor_starts_from_the_form_only_with_a_csrf_token(
    client: TestClient, instance: Instance, training: Training
) -> None:
    instructor = _as(client, training, "dgsn.instructor")
    form = instructor.get("/training/new")
    assert form.status_code == 200
    assert 'action="/training/exercises"' in form.text
    assert 'name="csrf_token" value=""' not in form.text  # the form carries the token without htmx too
    refused = instructor.post("/training/exercises", data=FORM)
    assert refused.status_code == 403
    assert "CSRF" in refused.text
    assert exercises.list_exercises(instance.db, training.trainer) == []
    # A wrong route is shown on the form again, with what was typed.
    token = _csrf(instructor, "/training/new")
    wrong = instructor.post("/training/exercises", data={**FORM, "route": "CMN", "csrf_token": token})
    assert wrong.status_code == 422
    assert 'role="alert"' in wrong.text
    assert "amina,\ntom</textarea>" in wrong.text
    assert exercises.list_exercises(instance.db, training.trainer) == []

    exercise_id = _start(client, training)
    [stored] = exercises.list_exercises(instance.db, training.trainer)
    assert (stored.exercise_id, stored.trainees) == (exercise_id, ("amina", "tom"))
    listed = instructor.get("/training")
    assert f'href="/training/exercises/{exercise_id}"' in listed.text
    assert "amina, tom" in listed.text


def test_instructor_sees_the_summary_and_the_debrief(
    client: TestClient, instance: Instance, training: Training, exercise_id: int
) -> None:
    results = exercises.exercise_results(instance.db, training.trainer, exercise_id)
    instructor = _as(client, training, "dgsn.instructor")
    page = instructor.get(f"/training/exercises/{exercise_id}?done=start")
    assert page.status_code == 200
    assert "Exercise started." in page.text
    scores = page.text.split('<table class="scores">')[1].split("</table>")[0]
    assert re.findall(r'<th scope="row">(\w+)</th>', scores) == ["amina", "tom"]
    cases = page.text.split('<table class="cases">')[1].split("</table>")[0]
    assert len(re.findall(r"<tr>", cases)) == len(results.summary.cases) + 1  # + the header row
    for outcome in results.summary.cases:
        assert f'<th scope="row">{outcome.case.case_id}</th>' in cases
        for alert_id in outcome.alert_ids:
            assert f'href="/training/exercises/{exercise_id}/alerts/{alert_id}"' in cases
    assert f'href="/training/exercises/{exercise_id}/debrief"' in page.text

    report = instructor.get(f"/training/exercises/{exercise_id}/debrief")
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/html")
    assert "<h1>Debrief: " in report.text
    assert report.text.count('src="data:image/png;base64,') == 3
    csp = report.headers["content-security-policy"]
    assert "unsafe-inline" not in csp
    assert "img-src 'self' data:" in csp
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    # The policy allows exactly the debrief's one <style>, by its hash (CSP level 2 hash-source).
    [style] = re.findall(r"<style>(.*?)</style>", report.text, flags=re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii")
    assert f"style-src 'sha256-{digest}'" in csp
    assert " style=" not in report.text
    assert "<script" not in report.text
    # Other pages keep the console's strict policy.
    assert "sha256" not in page.headers["content-security-policy"]


def test_a_trainee_sees_only_their_exercise_decides_and_another_trainees_view_is_unchanged(
    client: TestClient, instance: Instance, training: Training, exercise_id: int
) -> None:
    expected = [
        a.alert.alert_id
        for a in exercises.trainee_alerts(instance.db, training.trainer, exercise_id, trainee="amina")
    ]
    assert expected
    amina = _as(client, training, "amina")
    listed = amina.get("/training")
    assert f'href="/training/exercises/{exercise_id}/alerts"' in listed.text
    queue = amina.get(f"/training/exercises/{exercise_id}/alerts")
    assert queue.status_code == 200
    assert _queue_ids(queue.text) == expected
    assert training.live_alert not in expected
    assert queue.text.count("to decide") == len(expected)
    # The live alert of another agency is not an alert of the exercise.
    assert amina.get(f"/training/exercises/{exercise_id}/alerts/{training.live_alert}").status_code == 404

    alert_id = expected[0]
    url = f"/training/exercises/{exercise_id}/alerts/{alert_id}"
    detail = amina.get(url)
    assert detail.status_code == 200
    assert "What the traveller presented" in detail.text
    assert "Who they may be on the list" in detail.text
    assert 'value="confirm match"' in detail.text
    assert 'value="escalate"' in detail.text
    assert 'href="/flights/' not in detail.text  # trainees have no manifest page
    assert 'name="csrf_token" value=""' not in detail.text
    token = _csrf(amina, url)
    assert amina.post(f"{url}/decision", data={"decision": "confirm match"}).status_code == 403  # no token
    decided = amina.post(
        f"{url}/decision",
        data={"decision": "confirm match", "note": "same birth date", "csrf_token": token},
        follow_redirects=False,
    )
    assert (decided.status_code, decided.headers["location"]) == (303, f"{url}?done=decision")
    after = amina.get(f"{url}?done=decision")
    assert "Decision recorded." in after.text
    assert "same birth date" in after.text

    [mine] = [
        a
        for a in exercises.trainee_alerts(instance.db, training.trainer, exercise_id, trainee="amina")
        if a.decision
    ]
    assert (mine.alert.alert_id, mine.decision.decision if mine.decision else None) == (
        alert_id,
        Decision.CONFIRM_MATCH,
    )
    queue = amina.get(f"/training/exercises/{exercise_id}/alerts")
    assert queue.text.count("to decide") == len(expected) - 1
    assert "1 of " in queue.text

    tom = _as(client, training, "tom")
    theirs = tom.get(f"/training/exercises/{exercise_id}/alerts")
    assert _queue_ids(theirs.text) == expected
    assert theirs.text.count("to decide") == len(expected)
    assert "same birth date" not in tom.get(url).text
    assert all(
        a.decision is None
        for a in exercises.trainee_alerts(instance.db, training.trainer, exercise_id, trainee="tom")
    )
    # The alert itself never moved through the review workflow.
    assert review.get_alert(instance.db, training.trainer, alert_id).summary.state is AlertState.NEW

    # A trainee the exercise does not name sees no exercise and cannot reach it.
    zoe = _as(client, training, "zoe")
    assert f"/training/exercises/{exercise_id}" not in zoe.get("/training").text
    assert zoe.get(f"/training/exercises/{exercise_id}/alerts").status_code == 404
    assert zoe.get(url).status_code == 404
    token = _csrf(zoe, "/training")
    assert zoe.post(f"{url}/decision", data={"decision": "escalate", "csrf_token": token}).status_code == 404


def test_instructor_reads_an_exercise_alert_without_deciding(
    client: TestClient, training: Training, exercise_id: int, instance: Instance
) -> None:
    [first, *_] = exercises.trainee_alerts(instance.db, training.trainer, exercise_id, trainee="amina")
    instructor = _as(client, training, "dgsn.instructor")
    page = instructor.get(f"/training/exercises/{exercise_id}/alerts/{first.alert.alert_id}")
    assert page.status_code == 200
    assert "What the traveller presented" in page.text
    assert 'name="decision"' not in page.text
    assert instructor.get(f"/training/exercises/{exercise_id}/alerts").status_code == 403  # a trainee's queue


def test_officers_auditors_and_supervisors_are_refused_every_training_page(
    client: TestClient, training: Training, exercise_id: int, instance: Instance
) -> None:
    [first, *_] = exercises.trainee_alerts(instance.db, training.trainer, exercise_id, trainee="amina")
    base = f"/training/exercises/{exercise_id}"
    pages = [
        "/training",
        "/training/new",
        base,
        f"{base}/debrief",
        f"{base}/alerts",
        f"{base}/alerts/{first.alert.alert_id}",
    ]
    for username in ("dgsn.auditor", "dgsn.supervisor", "ukbf.officer", "ukbf.auditor"):
        who = _as(client, training, username)
        for path in pages:
            assert who.get(path).status_code == 403, (username, path)
        token = _csrf(who, "/")
        started = who.post("/training/exercises", data={**FORM, "csrf_token": token})
        decided = who.post(
            f"{base}/alerts/{first.alert.alert_id}/decision",
            data={"decision": "escalate", "csrf_token": token},
        )
        assert (started.status_code, decided.status_code) == (403, 403), username
    # Trainees do not read the answers, nor start exercises.
    amina = _as(client, training, "amina")
    for path in ("/training/new", base, f"{base}/debrief"):
        assert amina.get(path).status_code == 403, path
    # A trainee of another agency (UKBF, a live agency) finds nothing of DGSN's tenant.
    ukbf = _as(client, training, "ukbf.trainee")
    assert ukbf.get(f"{base}/alerts").status_code == 404
    assert f"{base}/alerts" not in ukbf.get("/training").text
    assert len(exercises.list_exercises(instance.db, training.trainer)) == 1


def test_dashboard_links_training_and_a_training_page_in_french(
    client: TestClient, training: Training, exercise_id: int
) -> None:
    instructor = _as(client, training, "dgsn.instructor")
    assert 'href="/training"' in instructor.get("/").text
    amina = _as(client, training, "amina")
    board = amina.get("/")
    assert 'href="/training">My exercises: work through' in board.text
    french = amina.get(f"/training/exercises/{exercise_id}/alerts?lang=fr")
    assert '<html lang="fr" dir="ltr">' in french.text
    assert "<title>Ma file d&#39;alertes · borderwatch</title>" in french.text
    assert "Votre décision" in french.text
    assert "à décider" in french.text
    assert "Mes exercices" in french.text  # the navigation


def test_training_pages_hold_no_inline_script_or_style(
    client: TestClient, training: Training, exercise_id: int, instance: Instance
) -> None:
    [first, *_] = exercises.trainee_alerts(instance.db, training.trainer, exercise_id, trainee="amina")
    base = f"/training/exercises/{exercise_id}"
    for username, paths in (
        ("dgsn.instructor", ["/training", "/training/new", base]),
        ("amina", ["/training", f"{base}/alerts", f"{base}/alerts/{first.alert.alert_id}"]),
    ):
        who = _as(client, training, username)
        for path in paths:
            html = who.get(path).text
            assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], path
            assert " style=" not in html, path
            assert "<style" not in html, path
            assert re.search(r"\son[a-z]+=", html) is None, path
