"""The account's API client, built when the engine first uses it rather than when it opens.

Opening an inbox must not cost what only the network needs. httpx, the OAuth session and the
client are a tenth of the TUI's start-up imports, and a returning user's first frame needs none
of them: the store has the rows and the names. :class:`DeferredClient` stands where the engine
expects a :class:`~rcinbox.api.client.SocialMessagingClient`; the rate budget and the retry
observers the engine takes at construction live here, and everything else builds the real client
(and its HTTP client and downloader) on first use, in the engine's event loop. Never imports
Textual.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rcinbox.api.errors import RCError
from rcinbox.api.observers import Observers
from rcinbox.api.ratelimit import RateBudget

if TYPE_CHECKING:
    import httpx

    from rcinbox.api.client import SocialMessagingClient
    from rcinbox.api.downloads import FileDownloader
    from rcinbox.api.tokens import Token
    from rcinbox.wiring.accounts import Account


class DeferredClient:
    """A :class:`SocialMessagingClient` for ``account``, built at its first use.

    ``rate`` and :meth:`observe_retries` answer without building it (the engine takes them when
    it is constructed); any other attribute builds it. :meth:`aclose` closes what was built.
    """

    def __init__(
        self, account: Account, *, handed_token: Callable[[], Token | None] | None = None
    ) -> None:
        self._account = account
        # A token another session of this account got moments ago (a warm start's), read when
        # the client is built: a session that keeps its tokens nowhere else starts with it.
        self._handed_token = handed_token
        self.rate = RateBudget()
        self._retry_observers: Observers[RCError] = Observers()
        self._http: httpx.AsyncClient | None = None
        self._client: SocialMessagingClient | None = None
        self._downloads: FileDownloader | None = None
        # Told when a stored login's renewed token cannot be saved (set by the wiring).
        self.on_not_saved: Callable[[str], None] | None = None
        self.downloads = DeferredDownloads(self)

    def observe_retries(self, observer: Callable[[RCError], None]) -> Callable[[], None]:
        """As :meth:`SocialMessagingClient.observe_retries`, built or not."""
        return self._retry_observers.add(observer)

    def owner_id(self) -> str | None:
        """The logged-in user's extension id, once a login has told it (None before)."""
        if self._client is None:
            return None
        token = self._client.auth.token
        return token.owner_id if token else None

    @property
    def built(self) -> bool:
        return self._client is not None

    def client(self) -> SocialMessagingClient:
        if self._client is None:
            self._build()
        assert self._client is not None
        return self._client

    def downloader(self) -> FileDownloader:
        if self._downloads is None:
            self._build()
        assert self._downloads is not None
        return self._downloads

    def __getattr__(self, name: str) -> Any:
        # Only names not set on this object come here: the client's requests and properties.
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.client(), name)

    def _build(self) -> None:
        from rcinbox.api import OAuthSession, SocialMessagingClient, new_http_client
        from rcinbox.api.downloads import FileDownloader
        from rcinbox.auth.cache import CachedSession, TokenCache
        from rcinbox.auth.keyring_store import for_profile
        from rcinbox.auth.session import StoredSession

        account = self._account
        credentials = account.credentials
        # Loading the CA bundle costs ~30 ms; a plain-HTTP server (the emulator on loopback)
        # never uses it. HTTPS servers are always verified.
        plain_http = credentials.server.startswith("http://")
        http = new_http_client(**({"verify": False} if plain_http else {}))
        if account.login is not None:
            login = account.login
            auth: OAuthSession = StoredSession(for_profile(login.profile), login, http=http)
            # Only a stored login is saved back; a UI hears when that fails (the session goes
            # on with the token it holds, the next start may ask to log in).
            auth.on_not_saved = self._not_saved  # type: ignore[attr-defined]
        elif account.cache_tokens:
            auth = CachedSession(TokenCache(credentials), http=http)
        else:
            # Token files hold the other kinds' tokens, so they find a handed one there.
            auth = OAuthSession(
                credentials.server,
                credentials.client_id,
                credentials.client_secret,
                http=http,
                jwt=credentials.jwt,
                token=self._handed_token() if self._handed_token is not None else None,
            )
        auth.deadline = account.request_deadline
        self._http = http
        self._client = SocialMessagingClient(
            credentials.server,
            auth,
            http=http,
            naming=credentials.naming,
            rate=self.rate,
            max_bytes=account.max_response_bytes,
            deadline=account.request_deadline,
            on_retry=self._retry_observers.tell,
        )
        self._downloads = FileDownloader(
            http, max_bytes=account.max_attachment_bytes, deadline=account.request_deadline
        )

    def _not_saved(self, message: str) -> None:
        if self.on_not_saved is not None:
            self.on_not_saved(message)

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()


class DeferredDownloads:
    """The attachment downloader on the deferred client's HTTP client, built with it."""

    def __init__(self, owner: DeferredClient) -> None:
        self._owner = owner

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._owner.downloader(), name)
