"""Rendering console pages: the Jinja2 environment, the page context, names in any script, the chart.

Every page gets: `t` (the translator), `lang` and `dir` for `<html>`, the CSRF token for its
forms, the logged-in user and the navigation their role may use. Names go through the `name`
filter, which isolates them in `<bdi>`: Arabic script is marked `dir="rtl" lang="ar"` so it reads
right to left and its letters join, other names `dir="auto"`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from borderwatch import __version__
from borderwatch.domain.audit import Role
from borderwatch.domain.review import REVIEWER_ROLES
from borderwatch.http.console.i18n import LANG_COOKIE, LANGUAGES, choose_language, translator
from borderwatch.http.deps import AUDIT_READERS
from borderwatch.services.console import EXCHANGE_ROLES, LIST_READERS, DayCount
from borderwatch.store.users import User

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Arabic, Arabic Supplement, Arabic Extended-A, presentation forms A and B (Unicode 15 blocks).
ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
HEBREW = re.compile("[\u0590-\u05ff]")


def name_html(value: object) -> Markup:
    """Return a name isolated for bidirectional text: right to left when written in Arabic script."""
    text = "" if value is None else str(value)
    if ARABIC.search(text):
        return Markup('<bdi dir="rtl" lang="ar" class="script-ar">{}</bdi>').format(escape(text))
    if HEBREW.search(text):
        return Markup('<bdi dir="rtl" lang="he">{}</bdi>').format(escape(text))
    return Markup('<bdi dir="auto">{}</bdi>').format(escape(text))


def when(value: object) -> str:
    """Return a date or time as officers read it (ISO 8601, minutes, UTC)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and len(value) >= 16 and value[10:11] == "T":
        return value[:10] + " " + value[11:16]
    return "" if value is None else str(value)


@functools.cache
def environment() -> Environment:
    """Return the template environment (autoescaping on, undefined names fail loudly in tests)."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["name"] = name_html
    env.filters["when"] = when
    env.filters["pct"] = lambda v: f"{float(v) * 100:.0f} %"
    env.globals["version"] = __version__
    return env


@dataclass(frozen=True, slots=True)
class NavItem:
    """One link of the navigation bar."""

    href: str
    label: str  # English text, translated in the template


def navigation(role: Role | None) -> list[NavItem]:
    """Return the links a role may follow."""
    if role is None:
        return []
    items = [NavItem("/", "Dashboard")]
    if role in REVIEWER_ROLES:
        items.append(NavItem("/alerts", "Alert queue"))
    if role in LIST_READERS:
        items.append(NavItem("/lists", "Watch lists"))
    if role in EXCHANGE_ROLES:
        items.append(NavItem("/exchange", "Partner exchange"))
    if role in AUDIT_READERS:
        items.append(NavItem("/audit", "Audit trail"))
    if role is Role.INSTRUCTOR:
        items.append(NavItem("/training", "Training"))
    elif role is Role.TRAINEE:
        items.append(NavItem("/training", "My exercises"))
    return items


def page(request: Request, template: str, title: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """Return a rendered console page; `title` is English text (translated)."""
    language, switched = choose_language(request)
    t = translator(language.code)
    user: User | None = getattr(request.state, "user", None)
    path = request.url.path
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    switch = {
        code: f"{path}?{urlencode([*kept, ('lang', code)])}" for code in LANGUAGES if code != language.code
    }
    html = (
        environment()
        .get_template(template)
        .render(
            request=request,
            t=t,
            lang=language.code,
            dir=language.direction,
            languages=LANGUAGES,
            switch=switch,
            title=t(title),
            csrf_token=getattr(request.state, "csrf_token", ""),
            user=user,
            nav=navigation(user.role if user else None),
            path=path,
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status)
    if switched:
        response.set_cookie(
            LANG_COOKIE, language.code, max_age=365 * 86400, path="/", samesite="strict", httponly=True
        )
    return response


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of the alerts-per-day chart, in SVG user units."""

    x: float
    y: float
    width: float
    height: float
    day: date
    count: int


@dataclass(frozen=True, slots=True)
class Chart:
    """The alerts-per-day chart, laid out for a server-rendered SVG."""

    width: int
    height: int
    baseline: float
    bars: list[Bar]
    maximum: int


def chart(days: Sequence[DayCount], *, width: int = 640, height: int = 180) -> Chart:
    """Return the bars of a chart of alerts per day (tallest bar = the busiest day)."""
    top, bottom, left = 16.0, 28.0, 8.0
    plot = height - top - bottom
    maximum = max((d.count for d in days), default=0)
    step = (width - 2 * left) / max(len(days), 1)
    bars = []
    for i, d in enumerate(days):
        h = plot * d.count / maximum if maximum else 0.0
        bars.append(Bar(left + i * step + step * 0.15, top + plot - h, step * 0.7, h, d.day, d.count))
    return Chart(width, height, top + plot, bars, maximum)
