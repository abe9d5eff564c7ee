"""The outbox and drafts: a reply is written down before anything is sent, reaches the server
once, and is followed until the channel has it.

An entry moves through ``queued`` (a durable row, nothing sent) → ``sending`` (committed, with
``sent_at`` and the attempt counted, before the POST leaves) → ``accepted`` (201: the content id
is known and the content is in the store) → ``delivered`` (``synchronizationStatus`` Success) or
``failed`` (the server's own words). When the POST may have reached the server but no answer
came back (timeout, dropped connection, a 5xx, an unreadable 201) the entry is ``unknown``: after
a grace period the thread's recent contents are listed and searched for ours; only when it is not
there is the entry queued and the POST sent again. That is the one case a POST is repeated.
A 429 or a connection that never opened created nothing, so those go back to ``queued``.

Undo send: an entry may be queued with a ``not_before`` moment (the agent's undo window). The
worker does not send it before then, and :meth:`Outbox.cancel` takes it back (the text becomes
the thread's draft again) in one commit that also checks it is still ``queued``; the worker marks
an entry ``sending`` in a commit that checks the same, so a cancel and a send never both win.

Entries of one thread go out in the order they were written; one entry is in flight at a time.
Everything lives in the store, so a restart (or SIGKILL) resumes where it stopped: an entry left
in ``sending`` is treated as ``unknown``.

Drafts are kept per thread and written to the store shortly after the last keystroke (debounced),
so typing costs no disk write per key yet a crash loses at most the last fraction of a second.

This package never resends a POST without first looking for it on the server, never keeps a reply
only in memory, never logs a reply's text or a secret, and never imports Textual.
"""

from rcinbox.inbox.outbox.base import AlreadySent, ReplyNotQueued, ReplyNotRecorded
from rcinbox.inbox.outbox.queue import Outbox

__all__ = ["AlreadySent", "Outbox", "ReplyNotQueued", "ReplyNotRecorded"]
