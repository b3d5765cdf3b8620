"""Outbound webhooks to the dispatch platform (城运智能派单): one owned task posts the pending
deliveries of the outbox, signed (see desk.signing), and retries failures with exponential
backoff up to `max_attempts`. Notifications of new deliveries travel on a bounded queue; when
it is full they are picked up by the periodic rescan of the outbox, so nothing is lost."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
from collections import deque
from datetime import timedelta

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from desk.clock import Clock
from desk.outbox import Attempt, Outbox, Pending
from desk.signing import EVENT, signed_headers

log = logging.getLogger(__name__)


class WebhookSettings(BaseModel):
    """`url` (CITYEYE_DESK_WEBHOOK_URL) receives outbound deliveries; `secret`
    (CITYEYE_DESK_WEBHOOK_SECRET) signs them and verifies inbound ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str | None = None
    secret: SecretStr | None = None
    max_attempts: int = Field(default=8, ge=1, le=50)
    backoff_initial_s: float = Field(default=2.0, gt=0)
    backoff_max_s: float = Field(default=600.0, gt=0)
    timeout_s: float = Field(default=10.0, gt=0)
    queue_size: int = Field(default=1000, ge=1)
    rescan_s: float = Field(default=30.0, gt=0)
    tolerance_s: float = Field(default=300.0, gt=0)

    @model_validator(mode="after")
    def _check(self) -> WebhookSettings:
        if self.url is not None and not self.url.startswith(("http://", "https://")):
            raise ValueError("CITYEYE_DESK_WEBHOOK_URL must start with http:// or https://")
        if self.url is not None and self.secret_bytes is None:
            raise ValueError(
                "CITYEYE_DESK_WEBHOOK_URL is set but CITYEYE_DESK_WEBHOOK_SECRET is not:"
                " outbound webhooks must be signed (set a random secret of 16+ characters)"
            )
        if self.secret is not None and len(self.secret.get_secret_value()) < 16:
            raise ValueError("CITYEYE_DESK_WEBHOOK_SECRET must be at least 16 characters")
        return self

    @property
    def secret_bytes(self) -> bytes | None:
        value = self.secret.get_secret_value() if self.secret else ""
        return value.encode() if value else None

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after the `attempts`-th failure."""
        return float(min(self.backoff_max_s, self.backoff_initial_s * 2 ** (attempts - 1)))


def webhook_settings(url: str | None, secret: SecretStr | None) -> WebhookSettings:
    """From the process settings (CITYEYE_DESK_WEBHOOK_URL / _SECRET); ValueError with the fix."""
    try:
        return WebhookSettings(url=url or None, secret=secret)
    except ValidationError as exc:
        msgs = (str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        raise ValueError("; ".join(msgs)) from exc


class WebhookSender:
    def __init__(
        self, settings: WebhookSettings, outbox: Outbox, clock: Clock,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if settings.url is None or settings.secret_bytes is None:
            raise ValueError("WebhookSender needs a URL and a secret")
        self._settings = settings
        self._url = settings.url
        self._secret = settings.secret_bytes
        self._outbox = outbox
        self._clock = clock
        self._transport = transport
        self._notes: deque[str] = deque(maxlen=settings.queue_size)
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self.delivered = 0
        self.failed_attempts = 0

    async def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("WebhookSender already started")
        self._task = asyncio.create_task(self._run(), name="desk-webhooks")

    def notify(self, delivery_id: str) -> None:
        """A new pending delivery (the oldest notification is dropped when the queue is full;
        the rescan finds it)."""
        self._notes.append(delivery_id)
        self._wake.set()

    async def stop(self, wait_s: float = 5.0) -> None:
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), wait_s)
        except TimeoutError:
            log.warning("webhook sender did not stop within %.1f s: cancelled", wait_s)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        heap: list[tuple[float, str]] = []
        next_scan = 0.0
        async with httpx.AsyncClient(
            timeout=self._settings.timeout_s, transport=self._transport
        ) as client:
            while not self._stopping:
                fresh = [self._notes.popleft() for _ in range(len(self._notes))]
                if loop.time() >= next_scan:
                    scheduled = {d for _, d in heap}
                    due = await asyncio.to_thread(self._outbox.due, self._clock.now(), scheduled)
                    fresh += [p.id for p in due]
                    next_scan = loop.time() + self._settings.rescan_s
                scheduled = {d for _, d in heap}
                for delivery_id in dict.fromkeys(fresh):
                    if delivery_id not in scheduled:
                        heapq.heappush(heap, (loop.time(), delivery_id))
                while heap and heap[0][0] <= loop.time() and not self._stopping:
                    _, delivery_id = heapq.heappop(heap)
                    delay = await self._attempt(client, delivery_id)
                    if delay is not None:
                        heapq.heappush(heap, (loop.time() + delay, delivery_id))
                wait = min(next_scan, heap[0][0] if heap else next_scan) - loop.time()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), max(0.0, wait))
                self._wake.clear()

    async def _attempt(self, client: httpx.AsyncClient, delivery_id: str) -> float | None:
        """Post one delivery; the delay before the next attempt, or None when done."""
        pending = await asyncio.to_thread(self._outbox.get, delivery_id)
        if pending is None:
            return None  # delivered or given up meanwhile (another worker, a duplicate note)
        ok, code, error = await self._post(client, pending)
        attempts = pending.attempts + 1
        delay = None if ok or attempts >= self._settings.max_attempts else (
            self._settings.backoff(attempts)
        )
        now = self._clock.now()
        retry_at = now + timedelta(seconds=delay) if delay is not None else None
        await asyncio.to_thread(
            self._outbox.record, delivery_id, Attempt(ok, code, error, retry_at), now
        )
        if ok:
            self.delivered += 1
        else:
            self.failed_attempts += 1
            log.warning("webhook %s (%s) attempt %d failed: %s%s", delivery_id,
                        pending.event_type, attempts, error,
                        "" if delay is not None else "; giving up")
        return delay

    async def _post(self, client: httpx.AsyncClient, p: Pending) -> tuple[bool, int | None, str]:
        headers = signed_headers(self._secret, p.body, p.id, self._clock.now())
        headers |= {EVENT: p.event_type, "Content-Type": "application/json",
                    "User-Agent": "CityEye-desk/1"}
        try:
            r = await client.post(self._url, content=p.body, headers=headers)
        except httpx.HTTPError as exc:
            return False, None, f"{type(exc).__name__}: {exc}"
        if 200 <= r.status_code < 300:
            return True, r.status_code, ""
        return False, r.status_code, f"HTTP {r.status_code}: {r.text[:200]}"
