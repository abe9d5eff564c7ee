"""What an outbox entry asks the server for, and how that content is recognised on the server.

A reply answers a content; a new conversation names its channel (and the recipients, subject
or WhatsApp template its channel needs) and carries the entry's id in ``contextData``, the
API's free-form custom fields, so that after a lost answer the entry finds its own content
among the channel's and never takes another for it (nothing else ties a new discussion to
its request: it answers no content). Never imports Textual.
"""

from __future__ import annotations

from rcinbox.api.models import Content, CreateContent
from rcinbox.inbox.types import OutboxRow

# The custom field (contextData) a new conversation carries: its outbox entry's id.
ENTRY_FIELD = "rcinboxEntry"


def create_request(row: OutboxRow) -> CreateContent:
    """The POST body for an entry."""
    if not row.starts_conversation:
        return CreateContent(
            body=row.body,
            in_reply_to_content_id=row.in_reply_to,
            public=row.public,
            title=row.title,
        )
    template = row.template
    return CreateContent(
        # A template send carries no body (WhatsApp takes the text from the template).
        body=None if template is not None else row.body,
        channel_id=row.channel_id,
        public=row.public,
        to=row.to,
        title=row.title,
        template_name=template.name if template else None,
        template_language=template.language if template else None,
        components=template.components() if template else None,
        context_data={ENTRY_FIELD: row.id},
    )


def is_ours(content: Content, row: OutboxRow, owner: str | None) -> bool:
    """Whether ``content`` is what this entry created: an agent's (our user's, when the server
    says who), answering the same content (or none, for a new conversation), with our text."""
    if content.is_incoming or (content.in_reply_to_content_id or "") != row.in_reply_to:
        return False
    if owner and content.creator_id and content.creator_id != owner:
        return False
    if row.starts_conversation:
        return _is_our_start(content, row)
    wanted = _words(row.body)
    return any(
        _words(text) == wanted for text in (content.body, content.body_text) if text is not None
    )


def _is_our_start(content: Content, row: OutboxRow) -> bool:
    if content.channel_id != row.channel_id:
        return False
    marked = (content.context_data or {}).get(ENTRY_FIELD)
    if marked is not None:
        return marked == row.id
    # A server that drops custom fields: the same subject and text (or template) will do.
    if (row.title or None) != (content.title or None):
        return False
    if row.template is not None:
        structured = content.raw.get("structuredContent")
        return isinstance(structured, dict) and structured.get("templateName") == row.template.name
    return _words(row.body) == _words(content.body or content.body_text or "")


def _words(text: str) -> str:
    # Servers may normalise line endings and trailing spaces; the words are what must match.
    return " ".join(text.split())
