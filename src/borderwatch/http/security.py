"""Security middleware: response headers for every page, and CSRF checks on every state-changing request.

Headers: a content security policy without `unsafe-inline` (the console has no inline script or
style), `nosniff`, no framing, no referrer (an alert id must not leak to the UN or OFAC sites the
review page links to), no powerful browser features, HSTS when cookies are Secure, and `no-store`
on everything but static files (pages hold personal data; a shared airport computer must not keep
them in its cache).

CSRF (OWASP "signed double-submit cookie"): each browser gets a random nonce in the HttpOnly
cookie `borderwatch_csrf`; the token pages embed is HMAC(key, nonce | session cookie), with a key
derived from the instance secret. A POST, PUT, PATCH or DELETE that rides on the session cookie
(or posts the console login form) must carry the token in the form field `csrf_token` or the
`X-CSRF-Token` header, else it is refused with 403. Requests with an Authorization header are not
checked: a browser never adds that header to a forged cross-site request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from urllib.parse import parse_qs

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from borderwatch.http.deps import SESSION_COOKIE

CSRF_COOKIE = "borderwatch_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The API's JSON login has no session to ride on; partners' envelopes are signed and carry no cookie.
CSRF_EXEMPT = frozenset({"/api/auth/login", "/api/exchange/inbox"})
LOGIN_FORM = "/login"  # login CSRF: the console's login form is checked even without a session
MAX_FORM_BYTES = 256 * 1024  # a note has at most 4,000 characters; forms are far below this

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
# The OpenAPI pages load Swagger UI / ReDoc from their CDN with inline script: no CSP there.
NO_CSP_PATHS = ("/docs", "/redoc")
STATIC_PREFIX = "/static/"
# Paths that are not console pages: they get no CSRF nonce cookie (API clients have no use for it).
NOT_CONSOLE = ("/api/", "/health", "/version", "/openapi.json", "/docs", "/redoc", STATIC_PREFIX)
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), fullscreen=(self)",
    "cross-origin-opener-policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"

Rejection = Callable[[Scope], bytes]


def csrf_key(secret: bytes) -> bytes:
    """Return the key that signs CSRF tokens (derived, so the instance secret serves one purpose each)."""
    return hmac.new(secret, b"borderwatch/csrf/v1", hashlib.sha256).digest()


def csrf_token(key: bytes, nonce: str, session: str) -> str:
    """Return the CSRF token for a browser's nonce and session cookie."""
    mac = hmac.new(key, f"{nonce}|{session}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def _valid_nonce(value: str | None) -> bool:
    return value is not None and 32 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum()


def needs_csrf(method: str, path: str, headers: Headers, cookies: dict[str, str]) -> bool:
    """True when a request must carry a CSRF token: it changes state and rides on a browser's cookies."""
    if method not in UNSAFE_METHODS or path in CSRF_EXEMPT or "authorization" in headers:
        return False
    return path == LOGIN_FORM or SESSION_COOKIE in cookies


class SecurityMiddleware:
    """ASGI middleware adding the security headers and enforcing CSRF tokens (see the module docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        secret: Callable[[], bytes],
        secure_cookies: bool,
        html_rejection: Rejection | None = None,
    ) -> None:
        self.app = app
        self._secret = secret
        self._key: bytes | None = None
        self.secure_cookies = secure_cookies
        self.html_rejection = html_rejection

    @property
    def key(self) -> bytes:
        """Return the CSRF key (derived from the instance secret on first use)."""
        if self._key is None:
            self._key = csrf_key(self._secret())
        return self._key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cookies = cookie_parser(headers.get("cookie", ""))
        nonce = cookies.get(CSRF_COOKIE)
        new_nonce = None
        if not _valid_nonce(nonce):
            nonce = new_nonce = secrets.token_urlsafe(32)
        assert nonce is not None
        expected = csrf_token(self.key, nonce, cookies.get(SESSION_COOKIE, ""))
        scope.setdefault("state", {})["csrf_token"] = expected
        path: str = scope["path"]
        if needs_csrf(scope["method"], path, headers, cookies):
            body = await _read_body(receive)
            if body is None or new_nonce is not None or not _token_matches(headers, body, expected):
                await self._reject(scope, send)
                return
            receive = _replay(body, receive)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    out.setdefault(name, value)
                if not path.startswith(NO_CSP_PATHS):
                    out.setdefault("content-security-policy", CONTENT_SECURITY_POLICY)
                if self.secure_cookies:
                    out.setdefault("strict-transport-security", HSTS)
                if not path.startswith(STATIC_PREFIX):
                    out.setdefault("cache-control", "no-store")
                if new_nonce is not None and not path.startswith(NOT_CONSOLE):
                    out.append("set-cookie", self._nonce_cookie(new_nonce))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _nonce_cookie(self, nonce: str) -> str:
        secure = "; Secure" if self.secure_cookies else ""
        return f"{CSRF_COOKIE}={nonce}; Path=/; HttpOnly; SameSite=Strict{secure}"

    async def _reject(self, scope: Scope, send: Send) -> None:
        message = (
            "the request has no valid CSRF token: reload the page and submit again "
            "(forms and htmx requests send it)"
        )
        if scope["path"].startswith("/api/") or self.html_rejection is None:
            body = json.dumps(
                {"error": "AccessDeniedError", "message": message, "detail": {"reason": "csrf"}}
            )
            content, kind = body.encode("utf-8"), "application/json"
        else:
            content, kind = self.html_rejection(scope), "text/html; charset=utf-8"
        headers = [
            (b"content-type", kind.encode("ascii")),
            (b"content-length", str(len(content)).encode("ascii")),
            (b"content-security-policy", CONTENT_SECURITY_POLICY.encode("ascii")),
            (b"cache-control", b"no-store"),
            *((k.encode("ascii"), v.encode("ascii")) for k, v in SECURITY_HEADERS.items()),
        ]
        await send({"type": "http.response.start", "status": 403, "headers": headers})
        await send({"type": "http.response.body", "body": content})


async def _read_body(receive: Receive) -> bytes | None:
    """Return the whole request body, or None when it is larger than a form may be."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _token_matches(headers: Headers, body: bytes, expected: str) -> bool:
    sent = headers.get(CSRF_HEADER)
    if sent is None and headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("latin-1"), max_num_fields=200).get(CSRF_FIELD, [])
        sent = values[0] if len(values) == 1 else None
    return sent is not None and hmac.compare_digest(sent.encode("ascii", "replace"), expected.encode("ascii"))


def _replay(body: bytes, original: Receive) -> Receive:
    """Return a `receive` that hands the already-read body to the application, then the client's events."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive
