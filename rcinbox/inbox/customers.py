"""The facade's customer profile: who wrote a message, as whom else, and where else.

Part of :class:`~rcinbox.inbox.engine.Inbox` (a mixin, so the facade stays one object while its
module stays small). A customer is one identity per channel; RingCentral ties the identities of
one person together in an *identity group* (``identityGroupId``). The profile is the author's
identity, the other identities of its group, and every stored conversation any of them is the
customer of or wrote in, on every channel.

:meth:`CustomerQueries.customer` answers from the store at once (what is cached);
:meth:`CustomerQueries.load_customer` asks the server first, at user priority (the identity if
it is not cached, then its group's listing), and falls back on the store when it cannot.
Never imports Textual.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from rcinbox.api.errors import RCError
from rcinbox.inbox.scheduler import Priority
from rcinbox.inbox.types import CustomerProfile

if TYPE_CHECKING:
    from rcinbox.inbox.identities import IdentityDirectory
    from rcinbox.inbox.store import Store

log = logging.getLogger(__name__)

# Conversations listed at most: a customer with more is a company, and the list says "newest".
MAX_CONVERSATIONS = 50


class CustomerQueries:
    """The customer profile (mixed into the Inbox facade)."""

    # The facade's own (engine.py).
    store: Store
    identities: IdentityDirectory

    def customer(self, identity_id: str) -> CustomerProfile:
        """The profile as the store has it now (no request)."""
        identity = self.store.identity(identity_id)
        group = identity.identity_group_id if identity is not None else None
        members = self.store.identities_in_group(group) if group else []
        others = tuple(m for m in members if m.id != identity_id)
        ids = [identity_id, *(m.id for m in others)]
        conversations = self.store.threads_of_identities(ids, MAX_CONVERSATIONS)
        return CustomerProfile(identity_id, identity, others, tuple(conversations))

    async def load_customer(self, identity_id: str) -> CustomerProfile:
        """The profile after asking the server for the identity and its group; the store's
        when the server cannot be asked."""
        try:
            identity = await self.identities.get(identity_id, priority=Priority.USER)
            if identity.identity_group_id:
                await self.identities.group(identity.identity_group_id, priority=Priority.USER)
        except RCError as error:
            log.info("customer %s: showing what is stored (%s)", identity_id, error)
        return self.customer(identity_id)
