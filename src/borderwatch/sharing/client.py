"""Posting a signed envelope to a partner's inbox over HTTP(S), with timeouts and nothing else.

The partner answers 202 (accepted) or 200 (already received: a retry of ours); anything else,
or no answer within the timeouts, is a failed attempt the outbox retries later.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from borderwatch.domain.exchange import DeliveryResult

INBOX_PATH = "/api/exchange/inbox"
ENVELOPE_MEDIA_TYPE = "application/json"


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds to wait: to connect, and for the whole answer."""

    connect: float = 5.0
    total: float = 15.0


def inbox_url(partner_url: str) -> str:
    """Return the address of a partner's inbox given its base address."""
    return partner_url.rstrip("/") + INBOX_PATH


class PartnerClient:
    """An HTTP client for partners' inboxes (one connection pool, reused across deliveries)."""

    def __init__(self, *, timeouts: Timeouts | None = None, transport: httpx.BaseTransport | None = None):
        limits = timeouts or Timeouts()
        self._client = httpx.Client(
            timeout=httpx.Timeout(limits.total, connect=limits.connect),
            transport=transport,
            follow_redirects=False,  # an envelope goes to the address in the agreement, nowhere else
        )

    def post_envelope(self, partner_url: str, envelope: bytes) -> DeliveryResult:
        """Return the outcome of posting `envelope` to the partner's inbox (never raises for the network)."""
        url = inbox_url(partner_url)
        try:
            response = self._client.post(url, content=envelope, headers={"content-type": ENVELOPE_MEDIA_TYPE})
        except httpx.TimeoutException as exc:
            return DeliveryResult(False, f"{url}: no answer in time ({type(exc).__name__})")
        except httpx.HTTPError as exc:
            return DeliveryResult(False, f"{url}: cannot reach the partner ({type(exc).__name__}: {exc})")
        if response.status_code in (200, 202):
            return DeliveryResult(True, status=response.status_code, detail=_body(response))
        body = _body(response)
        reason = str(body.get("message") or response.reason_phrase or "")
        return DeliveryResult(
            False,
            f"{url}: HTTP {response.status_code}: {reason}"[:1000],
            status=response.status_code,
            detail=body,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> PartnerClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _body(response: httpx.Response) -> dict[str, object]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
