"""The RingCentral subscription API for social-messaging webhooks.

``/restapi/v1.0/subscription`` create/list/read/update/delete and ``/{id}/renew``. Only the three
social-messaging event filters and the WebHook transport are accepted, as the guide says. Unlike
the real platform, the address must be on a loopback host: the emulator must never be turned into
a tool that POSTs to arbitrary machines. Creating (or moving) a subscription performs the
validation handshake; each event is then delivered through ``webhooks.Dispatcher``. Expired
subscriptions deliver nothing and read as not found.

Codes: SUB-508 (invalid event filters) and SUB-525 (handshake failed) are documented. INFERRED:
SUB-521 for an address the emulator refuses, CMN-100/CMN-101 for missing/invalid parameters,
CMN-102 for an unknown subscription id.
"""

from __future__ import annotations

import json
import random
import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from . import errors
from .clock import Clock, iso_millis, iso_seconds
from .oauth import is_loopback_url
from .protocol import Request, Response, json_response
from .webhooks import Dispatcher, post

PREFIX = "/cx/social-messaging/v1/contents/"
EVENT_FILTERS = (PREFIX + "Imported", PREFIX + "Exported", PREFIX + "DiscussionInitiated")
DEFAULT_EXPIRES_IN = 604800
MAX_EXPIRES_IN = 315360000
MAX_HANDSHAKE_REPLY = 1024


@dataclass(frozen=True, slots=True)
class Subscription:
    id: str
    event_filters: list[str]
    address: str
    verification_token: str | None
    expires_in: int
    created: datetime
    expires: datetime

    def __repr__(self) -> str:
        return f"Subscription(id={self.id!r}, address={self.address!r})"


def _missing(name: str) -> errors.ApiError:
    return errors.platform(400, "CMN-100", f"Parameter [{name}] is required", parameter=name)


def _invalid(name: str, why: str) -> errors.ApiError:
    return errors.platform(
        400, "CMN-101", f"Parameter [{name}] value is invalid: {why}", parameter=name
    )


def _unknown(subscription_id: str) -> errors.ApiError:
    return errors.platform(
        404,
        "CMN-102",
        "Resource for parameter [subscriptionId] is not found",
        parameter="subscriptionId",
    )


class Subscriptions:
    """Subscriptions of the one demo owner, and the fan-out of events to them."""

    def __init__(self, clock: Clock, dispatcher: Dispatcher, owner_id: str, seed: int) -> None:
        self._clock = clock
        self._dispatcher = dispatcher
        self._owner_id = owner_id
        self._rng = random.Random(f"subscriptions:{seed}")
        self._lock = threading.Lock()
        self._items: dict[str, Subscription] = {}
        self.base_url = ""

    # ------------------------------------------------------------------ endpoints

    def create(self, request: Request) -> Response:
        data = self._body(request)
        filters = self._filters(data.get("eventFilters"))
        address, token = self._delivery(data.get("deliveryMode"))
        expires_in = self._expires_in(data.get("expiresIn"))
        self._handshake(address)
        now = self._clock.now()
        with self._lock:
            subscription = Subscription(
                str(uuid.UUID(int=self._rng.getrandbits(128), version=4)),
                filters,
                address,
                token,
                expires_in,
                created=now,
                expires=now + timedelta(seconds=expires_in),
            )
            self._items[subscription.id] = subscription
            return json_response(200, self._info(subscription))

    def list_all(self, request: Request) -> Response:
        with self._lock:
            records = [self._info(s) for s in self._items.values() if self._active(s)]
        return json_response(
            200, {"uri": f"{self.base_url}/restapi/v1.0/subscription", "records": records}
        )

    def read(self, request: Request, subscription_id: str) -> Response:
        with self._lock:
            return json_response(200, self._info(self._find(subscription_id)))

    def update(self, request: Request, subscription_id: str) -> Response:
        data = self._body(request)
        with self._lock:
            current = self._find(subscription_id)
        filters = current.event_filters
        if data.get("eventFilters") is not None:
            filters = self._filters(data["eventFilters"])
        address, token = current.address, current.verification_token
        if data.get("deliveryMode") is not None:
            address, token = self._delivery(data["deliveryMode"])
        expires_in = current.expires_in
        if data.get("expiresIn") is not None:
            expires_in = self._expires_in(data["expiresIn"])
        if address != current.address:
            self._handshake(address)
        with self._lock:
            self._find(subscription_id)  # still there after the handshake
            subscription = replace(
                current,
                event_filters=filters,
                address=address,
                verification_token=token,
                expires_in=expires_in,
                expires=self._clock.now() + timedelta(seconds=expires_in),
            )
            self._items[subscription.id] = subscription
            return json_response(200, self._info(subscription))

    def renew(self, request: Request, subscription_id: str) -> Response:
        with self._lock:
            current = self._find(subscription_id)
            subscription = replace(
                current, expires=self._clock.now() + timedelta(seconds=current.expires_in)
            )
            self._items[subscription.id] = subscription
            return json_response(200, self._info(subscription))

    def delete(self, request: Request, subscription_id: str) -> Response:
        with self._lock:
            self._find(subscription_id)
            del self._items[subscription_id]
        return Response(204)

    # ------------------------------------------------------------------ events

    def publish(self, event: str, resource: dict[str, Any]) -> None:
        """Notify every active subscription whose filters include ``event``."""
        with self._lock:
            targets = [
                s for s in self._items.values() if event in s.event_filters and self._active(s)
            ]
            uuids = [str(self._rng.getrandbits(63)) for _ in targets]
        now = iso_millis(self._clock.now())
        for subscription, event_uuid in zip(targets, uuids, strict=True):
            envelope = {
                "uuid": event_uuid,
                "event": event,
                "timestamp": now,
                "subscriptionId": subscription.id,
                "ownerId": self._owner_id,
                "body": {"issuedAt": now, "resource": resource},
            }
            headers: dict[str, str] = {}
            if subscription.verification_token:
                headers["Validation-Token"] = subscription.verification_token
            self._dispatcher.send(
                subscription.address,
                json.dumps(envelope, ensure_ascii=False).encode("utf-8"),
                headers,
                self._wanted(subscription.id, subscription.address),
            )

    def _wanted(self, subscription_id: str, address: str) -> Callable[[], bool]:
        def still_wanted() -> bool:
            with self._lock:
                current = self._items.get(subscription_id)
                return current is not None and current.address == address and self._active(current)

        return still_wanted

    # ------------------------------------------------------------------ helpers

    def _active(self, subscription: Subscription) -> bool:
        return self._clock.now() < subscription.expires

    def _find(self, subscription_id: str) -> Subscription:
        subscription = self._items.get(subscription_id)
        if subscription is None or not self._active(subscription):
            raise _unknown(subscription_id)
        return subscription

    def _info(self, subscription: Subscription) -> dict[str, Any]:
        remaining = (subscription.expires - self._clock.now()).total_seconds()
        return {
            "id": subscription.id,
            "uri": f"{self.base_url}/restapi/v1.0/subscription/{subscription.id}",
            "eventFilters": list(subscription.event_filters),
            "disabledFilters": [],
            "expirationTime": iso_seconds(subscription.expires),
            "expiresIn": max(0, int(remaining)),
            "status": "Active",
            "creationTime": iso_seconds(subscription.created),
            "deliveryMode": {
                "transportType": "WebHook",
                "address": subscription.address,
                "encryption": False,
            },
        }

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        data = request.json(_invalid("body", "not valid JSON"))
        if not isinstance(data, dict):
            raise _invalid("body", "expected a JSON object")
        return data

    @staticmethod
    def _filters(value: Any) -> list[str]:
        if value is None:
            raise _missing("eventFilters")
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(item, str) and item in EVENT_FILTERS for item in value)
        ):
            raise errors.platform(400, "SUB-508", "Invalid event filters", parameter="eventFilters")
        return list(dict.fromkeys(value))

    @staticmethod
    def _delivery(value: Any) -> tuple[str, str | None]:
        if value is None:
            raise _missing("deliveryMode")
        if not isinstance(value, dict):
            raise _invalid("deliveryMode", "expected an object")
        if value.get("transportType") != "WebHook":
            raise _invalid(
                "deliveryMode.transportType", "only WebHook is supported for social messaging"
            )
        address = value.get("address")
        if not address:
            raise _missing("deliveryMode.address")
        if not isinstance(address, str) or not is_loopback_url(address, ("http", "https")):
            raise errors.platform(
                400,
                "SUB-521",
                "Invalid delivery address: the emulator delivers only to loopback addresses "
                "(127.0.0.1, localhost, [::1])",
                parameter="deliveryMode.address",
            )
        token = value.get("verificationToken")
        if token is not None and (not isinstance(token, str) or len(token) > 64):
            raise _invalid("deliveryMode.verificationToken", "expected a string of 64 or fewer")
        return address, token or None

    @staticmethod
    def _expires_in(value: Any) -> int:
        if value is None:
            return DEFAULT_EXPIRES_IN
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise _invalid("expiresIn", "expected a positive integer")
        return min(value, MAX_EXPIRES_IN)

    @staticmethod
    def _handshake(address: str) -> None:
        token = secrets.token_urlsafe(24)
        reply = post(address, b"", {"Validation-Token": token})
        if (
            reply is None
            or reply.status != 200
            or reply.headers.get("validation-token") != token
            or reply.size > MAX_HANDSHAKE_REPLY
        ):
            raise errors.platform(400, "SUB-525", "WebHook server response is invalid")
