"""RingCentral OAuth as the emulator serves it: token, authorize, revoke, and the bearer checks.

Grants: JWT bearer (the assertion must equal the configured JWT credential), authorization code
with PKCE (``S256``, or ``plain`` when no method is given; single-use codes that live 60 s and only
redirect to loopback addresses) and refresh token (single-use: refreshing invalidates the old
refresh token and the old access token at once). Confidential clients authenticate with HTTP
Basic; a client that obtained its session through PKCE may send just ``client_id``.

Error codes: OAU-123 (missing or unreadable client authentication), OAU-146 (wrong client
credentials), OAU-140 (wrong JWT), AGW-401/AGW-402 (no or bad Authorization header on the API),
OAU-128 (expired access token) and OAU-129 (unknown or revoked access token) are the documented
ones. INFERRED (no source shows them): OAU-101 for a missing or invalid parameter, OAU-150 for a
bad authorization code or verifier, OAU-211 for a used/revoked/expired refresh token,
``unsupported_grant_type``/``unsupported_response_type`` as in RFC 6749.

Tokens are random opaque strings and never appear in an error message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from . import errors
from .protocol import Request, Response, json_response

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GRANT_TYPES = (JWT_BEARER, "authorization_code", "refresh_token")
CODE_TTL = 60
SCOPE = "SocialMessaging"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(slots=True)
class Session:
    session_id: str
    client_id: str
    owner_id: str
    endpoint_id: str
    public: bool  # obtained through PKCE by a client that never showed its secret
    access_token: str = ""
    access_expires: float = 0.0
    refresh_token: str = ""
    refresh_expires: float = 0.0

    def __repr__(self) -> str:
        return f"Session(id={self.session_id!r}, client_id={self.client_id!r})"


@dataclass(frozen=True, slots=True)
class _Code:
    client_id: str
    redirect_uri: str
    challenge: str | None
    method: str
    expires: float


def is_loopback_url(url: str, schemes: tuple[str, ...] = ("http",)) -> bool:
    """True for ``http://127.0.0.1:port/...``, ``localhost`` or ``[::1]`` URLs."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    return parts.scheme in schemes and parts.hostname in LOOPBACK_HOSTS


def _first(form: dict[str, list[str]], name: str) -> str | None:
    found = form.get(name)
    return found[0] if found else None


def _invalid_request(name: str, problem: str = "is missing") -> errors.ApiError:
    return errors.oauth(400, "invalid_request", "OAU-101", f"Parameter [{name}] {problem}")


class OAuthServer:
    """Issues, rotates, revokes and checks tokens for the one demo client and owner."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        jwt: str,
        owner_id: str,
        access_ttl: int,
        refresh_ttl: int,
        count_grant: Callable[[str], None],
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._jwt = jwt
        self._owner_id = owner_id
        self._access_ttl = access_ttl
        self._refresh_ttl = refresh_ttl
        self._count_grant = count_grant
        self._lock = threading.Lock()
        self._by_access: dict[str, Session] = {}
        self._by_refresh: dict[str, Session] = {}
        self._codes: dict[str, _Code] = {}

    def __repr__(self) -> str:
        return f"OAuthServer(client_id={self._client_id!r})"

    # ------------------------------------------------------------------ client identity

    def client_key(self, request: Request) -> str:
        """The client id a token-endpoint request claims (its Auth rate-limit key)."""
        basic = _basic_credentials(request.header("Authorization"))
        if basic is not None:
            return basic[0]
        form_id = _first(request.form(), "client_id")
        return form_id or "anonymous"

    def _authenticate_client(self, request: Request) -> str | None:
        """The client id proven by HTTP Basic, None when no Authorization header was sent."""
        header = request.header("Authorization")
        if header is None:
            return None
        basic = _basic_credentials(header)
        if basic is None:
            raise errors.oauth(
                401, "invalid_client", "OAU-123", "Invalid Authorization header value"
            )
        client_id, secret = basic
        if not (
            hmac.compare_digest(client_id.encode(), self._client_id.encode())
            and hmac.compare_digest(secret.encode(), self._client_secret.encode())
        ):
            raise errors.oauth(401, "invalid_client", "OAU-146", "Invalid client credentials")
        return client_id

    @staticmethod
    def _authentication_required() -> errors.ApiError:
        return errors.oauth(401, "invalid_client", "OAU-123", "Client authentication is required")

    # ------------------------------------------------------------------ endpoints

    def token(self, request: Request) -> Response:
        """``POST /restapi/oauth/token``."""
        form = request.form()
        proven = self._authenticate_client(request)
        grant_type = _first(form, "grant_type")
        if not grant_type:
            raise _invalid_request("grant_type")
        if grant_type not in GRANT_TYPES:
            raise errors.oauth(400, "unsupported_grant_type", "OAU-101", "Unsupported grant type")
        if grant_type == JWT_BEARER:
            session = self._jwt_grant(form, proven)
        elif grant_type == "refresh_token":
            session = self._refresh_grant(form, proven)
        else:
            session = self._code_grant(form, proven)
        self._count_grant(grant_type)
        return json_response(
            200,
            {
                "access_token": session.access_token,
                "token_type": "bearer",
                "expires_in": self._access_ttl,
                "refresh_token": session.refresh_token,
                "refresh_token_expires_in": self._refresh_ttl,
                "scope": SCOPE,
                "owner_id": session.owner_id,
                "endpoint_id": session.endpoint_id,
                "session_id": session.session_id,
            },
            {"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    def authorize(self, request: Request) -> Response:
        """``GET /restapi/oauth/authorize``: approves at once and redirects with a code."""
        query = request.query
        redirect_uri = _first(query, "redirect_uri")
        if not redirect_uri:
            raise _invalid_request("redirect_uri")
        if not is_loopback_url(redirect_uri):
            raise _invalid_request(
                "redirect_uri", "must be an http URL on 127.0.0.1, localhost or [::1]"
            )
        if _first(query, "response_type") != "code":
            raise errors.oauth(
                400, "unsupported_response_type", "OAU-101", "Parameter [response_type] is invalid"
            )
        client_id = _first(query, "client_id")
        if not client_id:
            raise _invalid_request("client_id")
        if client_id != self._client_id:
            raise errors.oauth(400, "invalid_client", "OAU-146", "Invalid client credentials")
        challenge = _first(query, "code_challenge") or None
        method = _first(query, "code_challenge_method") or "plain"
        if method not in ("plain", "S256"):
            raise _invalid_request("code_challenge_method", "must be plain or S256")
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Code(
                client_id, redirect_uri, challenge, method, time.monotonic() + CODE_TTL
            )
        answer = {"code": code, "expires_in": CODE_TTL}
        state = _first(query, "state")
        if state is not None:
            answer["state"] = state
        separator = "&" if urlsplit(redirect_uri).query else "?"
        location = redirect_uri + separator + urlencode(answer)
        return Response(302, headers={"Location": location})

    def revoke(self, request: Request) -> Response:
        """``POST /restapi/oauth/revoke``: ends the whole session holding the token."""
        form = request.form()
        self._authenticate_client(request)
        token = _first(form, "token") or _first(request.query, "token")
        if token:
            with self._lock:
                session = self._by_access.get(token) or self._by_refresh.get(token)
                if session is not None:
                    self._forget(session)
        return Response(200)

    # ------------------------------------------------------------------ bearer check

    def authenticate(self, request: Request) -> Session:
        """The session behind ``Authorization: Bearer``, or the 401 the gateway would give."""
        header = request.header("Authorization")
        if header is None:
            raise errors.platform(401, "AGW-401", "Authorization header is not specified")
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise errors.platform(401, "AGW-402", "Invalid Authorization header")
        with self._lock:
            session = self._by_access.get(token)
            if session is None:
                raise errors.platform(401, "OAU-129", "Access token corrupted")
            if time.monotonic() >= session.access_expires:
                raise errors.platform(401, "OAU-128", "Access token expired")
            return session

    # ------------------------------------------------------------------ grants

    def _jwt_grant(self, form: dict[str, list[str]], proven: str | None) -> Session:
        if proven is None:
            raise self._authentication_required()
        assertion = _first(form, "assertion")
        if not assertion:
            raise _invalid_request("assertion")
        if not hmac.compare_digest(assertion.encode(), self._jwt.encode()):
            raise errors.oauth(
                400, "invalid_grant", "OAU-140", "Invalid resource owner credentials"
            )
        return self._open_session(proven, public=False)

    def _refresh_grant(self, form: dict[str, list[str]], proven: str | None) -> Session:
        claimed = proven or _first(form, "client_id")
        if proven is None and claimed != self._client_id:
            raise self._authentication_required()
        refresh_token = _first(form, "refresh_token")
        if not refresh_token:
            raise _invalid_request("refresh_token")
        with self._lock:
            session = self._by_refresh.get(refresh_token)
            if session is None or session.client_id != claimed:
                raise errors.oauth(400, "invalid_grant", "OAU-211", "Token is revoked")
            if proven is None and not session.public:
                raise self._authentication_required()
            if time.monotonic() >= session.refresh_expires:
                self._forget(session)
                raise errors.oauth(400, "invalid_grant", "OAU-211", "Refresh token has expired")
            self._forget(session)
            self._issue(session)
            return session

    def _code_grant(self, form: dict[str, list[str]], proven: str | None) -> Session:
        code_text = _first(form, "code")
        client_id = proven or _first(form, "client_id")
        if proven is None and client_id != self._client_id:
            raise self._authentication_required()
        if not code_text:
            raise _invalid_request("code")
        with self._lock:
            # Single use: even a failed exchange spends the code, so a verifier cannot be guessed.
            code = self._codes.pop(code_text, None)
        if code is None or time.monotonic() >= code.expires or code.client_id != client_id:
            raise errors.oauth(
                400, "invalid_grant", "OAU-150", "Authorization code is invalid or expired"
            )
        if _first(form, "redirect_uri") != code.redirect_uri:
            raise errors.oauth(
                400, "invalid_grant", "OAU-150", "Parameter [redirect_uri] does not match"
            )
        if code.challenge is None:
            if proven is None:
                raise self._authentication_required()
        elif not _verifier_matches(_first(form, "code_verifier"), code.challenge, code.method):
            raise errors.oauth(400, "invalid_grant", "OAU-150", "Code verifier is invalid")
        return self._open_session(client_id, public=proven is None)

    # ------------------------------------------------------------------ sessions

    def _open_session(self, client_id: str, *, public: bool) -> Session:
        session = Session(
            session_id=secrets.token_hex(12),
            client_id=client_id,
            owner_id=self._owner_id,
            endpoint_id=secrets.token_urlsafe(16),
            public=public,
        )
        with self._lock:
            self._issue(session)
        return session

    def _issue(self, session: Session) -> None:
        now = time.monotonic()
        session.access_token = secrets.token_urlsafe(32)
        session.refresh_token = secrets.token_urlsafe(32)
        session.access_expires = now + self._access_ttl
        session.refresh_expires = now + self._refresh_ttl
        self._by_access[session.access_token] = session
        self._by_refresh[session.refresh_token] = session

    def _forget(self, session: Session) -> None:
        self._by_access.pop(session.access_token, None)
        self._by_refresh.pop(session.refresh_token, None)


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if header is None:
        return None
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


def _verifier_matches(verifier: str | None, challenge: str, method: str) -> bool:
    if verifier is None or not 43 <= len(verifier) <= 128:
        return False
    if method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        verifier = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return hmac.compare_digest(verifier.encode(), challenge.encode())
