"""The console's languages: an English/French message catalogue, and the choice of language per request.

The catalogue is `data/i18n/console.csv` (columns `en`, `fr`): the English text is the key, so
a template reads `{{ t("Alert queue") }}` and a missing translation shows the English text. The
language comes from `?lang=` (the switcher, remembered in the `lang` cookie), else the cookie,
else the browser's Accept-Language, else English.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from starlette.requests import Request

LANG_COOKIE = "lang"
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True, slots=True)
class Language:
    """A language the console speaks: its code, its name in itself, and its writing direction."""

    code: str
    name: str
    direction: str  # ltr, rtl


LANGUAGES = {"en": Language("en", "English", "ltr"), "fr": Language("fr", "Français", "ltr")}

Translate = Callable[..., str]


@functools.cache
def catalogue() -> dict[str, dict[str, str]]:
    """Return language code -> English text -> translation, read once from the packaged CSV."""
    text = resources.files("borderwatch").joinpath("data", "i18n", "console.csv").read_text("utf-8")
    table: dict[str, dict[str, str]] = {code: {} for code in LANGUAGES}
    for row in csv.DictReader(io.StringIO(text)):
        english = row["en"]
        for code in LANGUAGES:
            table[code][english] = (row.get(code) or "").strip() or english
    return table


def translator(code: str) -> Translate:
    """Return `t(text, **values)`: the text in the language, with `{name}` placeholders filled."""
    messages = catalogue().get(code, {})

    def t(text: str, **values: object) -> str:
        found = messages.get(text, text)
        return found.format(**values) if values else found

    return t


def _accept_language(header: str) -> str | None:
    """Return the supported language the browser prefers most (RFC 9110 section 12.5.4), or None."""
    best: tuple[float, str] | None = None
    for part in header.split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        code = tag.strip().lower().split("-")[0]
        if code in LANGUAGES and quality > 0 and (best is None or quality > best[0]):
            best = (quality, code)
    return best[1] if best else None


def choose_language(request: Request) -> tuple[Language, bool]:
    """Return the request's language and whether the switcher asked for it (then it is remembered)."""
    asked = request.query_params.get("lang", "")
    if asked in LANGUAGES:
        return LANGUAGES[asked], True
    cookie = request.cookies.get(LANG_COOKIE, "")
    if cookie in LANGUAGES:
        return LANGUAGES[cookie], False
    found = _accept_language(request.headers.get("accept-language", ""))
    return LANGUAGES[found or DEFAULT_LANGUAGE], False
