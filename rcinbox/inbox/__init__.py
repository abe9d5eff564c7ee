"""The engine: local store, sync, identity directory, outbox and drafts, read state.

Everything the UIs need goes through :class:`rcinbox.inbox.engine.Inbox`. Never imports Textual.
"""
