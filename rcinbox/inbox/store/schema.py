"""The schema, as the migrations that build it: a database is only ever moved forward."""

from __future__ import annotations

# Each entry moves the schema one version forward; a database is never changed in place otherwise.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE contents (
        id TEXT PRIMARY KEY,
        thread_id TEXT NOT NULL,
        channel_id TEXT,
        channel_type TEXT,
        author_identity_id TEXT,
        in_reply_to TEXT,
        created REAL NOT NULL,
        incoming INTEGER NOT NULL,
        status TEXT,
        sync_status TEXT,
        preview TEXT NOT NULL,
        raw TEXT NOT NULL
    );
    CREATE INDEX contents_thread ON contents (thread_id, created, id);
    CREATE INDEX contents_created ON contents (created, id);
    CREATE INDEX contents_author ON contents (author_identity_id);

    CREATE TABLE threads (
        id TEXT PRIMARY KEY,
        channel_id TEXT,
        channel_type TEXT,
        latest_at REAL NOT NULL,
        latest_content_id TEXT NOT NULL,
        latest_incoming INTEGER NOT NULL,
        preview TEXT NOT NULL,
        customer_id TEXT,
        latest_inbound_id TEXT,
        latest_inbound_at REAL,
        latest_outbound_at REAL,
        reply_state TEXT,
        content_count INTEGER NOT NULL,
        unread INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX threads_latest ON threads (latest_at DESC, id DESC);
    CREATE INDEX threads_channel ON threads (channel_id, latest_at DESC, id DESC);
    CREATE INDEX threads_unread ON threads (unread, latest_at DESC, id DESC);

    CREATE TABLE channels (
        id TEXT PRIMARY KEY,
        type TEXT,
        thread_count INTEGER NOT NULL DEFAULT 0,
        unread_count INTEGER NOT NULL DEFAULT 0
    );
    -- Not INSERT OR IGNORE: a trigger fired by an upsert takes the upsert's conflict policy
    -- (abort), so an existing channel would fail the whole merge.
    CREATE TRIGGER threads_insert AFTER INSERT ON threads BEGIN
        INSERT INTO channels (id, type) SELECT NEW.channel_id, NEW.channel_type
        WHERE NOT EXISTS (SELECT 1 FROM channels WHERE id IS NEW.channel_id);
        UPDATE channels
        SET thread_count = thread_count + 1, unread_count = unread_count + NEW.unread
        WHERE id = NEW.channel_id;
    END;
    CREATE TRIGGER threads_delete AFTER DELETE ON threads BEGIN
        UPDATE channels
        SET thread_count = thread_count - 1, unread_count = unread_count - OLD.unread
        WHERE id = OLD.channel_id;
    END;
    CREATE TRIGGER threads_update AFTER UPDATE OF unread, channel_id ON threads BEGIN
        UPDATE channels
        SET thread_count = thread_count - 1, unread_count = unread_count - OLD.unread
        WHERE id = OLD.channel_id;
        INSERT INTO channels (id, type) SELECT NEW.channel_id, NEW.channel_type
        WHERE NOT EXISTS (SELECT 1 FROM channels WHERE id IS NEW.channel_id);
        UPDATE channels
        SET thread_count = thread_count + 1, unread_count = unread_count + NEW.unread
        WHERE id = NEW.channel_id;
    END;

    CREATE TABLE read_marks (
        thread_id TEXT PRIMARY KEY,
        read_up_to REAL,
        manual_unread INTEGER NOT NULL DEFAULT 0
    );

    CREATE TABLE identities (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        is_agent INTEGER NOT NULL,
        raw TEXT NOT NULL,
        fetched_at REAL NOT NULL
    );

    CREATE TABLE drafts (
        thread_id TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        in_reply_to TEXT,
        public INTEGER,
        updated_at REAL NOT NULL
    );

    CREATE TABLE outbox (
        id TEXT PRIMARY KEY,
        thread_id TEXT NOT NULL,
        in_reply_to TEXT NOT NULL,
        channel_type TEXT,
        body TEXT NOT NULL,
        public INTEGER,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        sent_at REAL,
        next_attempt_at REAL,
        content_id TEXT UNIQUE,
        error_code TEXT,
        error_message TEXT
    );
    CREATE INDEX outbox_state ON outbox (state, next_attempt_at);
    CREATE INDEX outbox_thread ON outbox (thread_id, created_at);

    CREATE TABLE cursors (
        key TEXT PRIMARY KEY,
        next_page_token TEXT,
        exhausted INTEGER NOT NULL DEFAULT 0,
        updated_at REAL NOT NULL
    );
    """,
    # 2: a trigram index of message text, so the filter box finds any substring (any script,
    # no word splitting needed for Chinese or Japanese) without scanning every message.
    """
    CREATE VIRTUAL TABLE contents_text USING fts5(body, title, tokenize = 'trigram');
    INSERT INTO contents_text (rowid, body, title)
        SELECT rowid, json_extract(raw, '$.body'), json_extract(raw, '$.title') FROM contents;
    """,
    # 3: how far back in time each listing's pages have reached (the creation time of the oldest
    # content met), so the inbox can tell whether its counts cover the history horizon.
    """
    ALTER TABLE cursors ADD COLUMN reached REAL;
    """,
    # 4: undo send. A reply may wait in the outbox until ``not_before`` (our clock) before it
    # leaves; kept apart from ``next_attempt_at``, which retries and backoff rewrite.
    """
    ALTER TABLE outbox ADD COLUMN not_before REAL;
    """,
    # 5: new conversations go through the outbox too. Such an entry answers nothing (its
    # in_reply_to is empty) and names its channel, its recipients (a JSON array), an email's
    # subject and a WhatsApp template (JSON: name, language, params); a reply may carry a
    # subject ("Re: ...") as well.
    """
    ALTER TABLE outbox ADD COLUMN channel_id TEXT;
    ALTER TABLE outbox ADD COLUMN recipients TEXT;
    ALTER TABLE outbox ADD COLUMN title TEXT;
    ALTER TABLE outbox ADD COLUMN template TEXT;
    """,
    # 6: triage, the threads the agent put aside (the API has no conversation status). Done
    # hides a thread until its customer writes again (a newer message than ``inbound_at``);
    # snoozed hides it until ``until`` too. The needs-reply view reads threads whose newest message
    # is the customer's through its own index.
    """
    CREATE TABLE triage (
        thread_id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        until REAL,
        content_id TEXT,
        inbound_at REAL,
        set_at REAL NOT NULL
    );
    CREATE INDEX triage_until ON triage (until) WHERE until IS NOT NULL;
    CREATE INDEX threads_needs_reply ON threads (latest_incoming, latest_at DESC, id DESC);
    -- The wait sort's key, exactly as ThreadFilter.order_keys writes it (SQLite matches the
    -- expressions), so a window of that order reads the index instead of sorting every thread.
    CREATE INDEX threads_waiting ON threads (
        -latest_incoming,
        CASE WHEN latest_incoming = 1 THEN latest_inbound_at ELSE -latest_at END,
        id
    );
    """,
    # 7: contents without a channelId are filed under the unknown channel ('', UNKNOWN_CHANNEL
    # in rcinbox.inbox.types). Their threads had a NULL channel, which the channel triggers'
    # "id = NEW.channel_id" never matched: stored, but counted nowhere and never listed. The
    # update below fires threads_update, which counts each such thread under ''.
    """
    UPDATE contents SET channel_id = '' WHERE channel_id IS NULL;
    UPDATE threads SET channel_id = '' WHERE channel_id IS NULL;
    DELETE FROM channels WHERE id IS NULL;
    """,
    # 8: what a merge writes no longer grows as fast with the store (issue: 9 KB written per
    # content at 10k contents, 35 KB at 1M).
    # - The raw JSON packed (store/packing.py: deflate with a dictionary of the API's field
    #   names), a fifth of its room; the one field thread derivation read out of it gets a
    #   column. pack_raw() is registered on every connection the store opens.
    # - No index on contents by creation time: no query needs it (threads have their own).
    # - No preview per content: only a thread's newest content's preview is shown, and the
    #   thread keeps it (a merge computes it; one not merged now is unpacked).
    # - The text index merges its segments 8 at a time instead of 4, so each indexed byte is
    #   rewritten about half as often as the index grows (`rcinbox store vacuum` merges them
    #   all).
    # The room freed is reused by later merges; `rcinbox store vacuum` gives it back at once.
    """
    DROP INDEX contents_created;
    ALTER TABLE contents DROP COLUMN preview;
    INSERT INTO contents_text (contents_text, rank) VALUES ('automerge', 8);
    ALTER TABLE contents ADD COLUMN reply_to_author TEXT;
    UPDATE contents SET
        reply_to_author = CASE WHEN json_valid(raw)
            THEN json_extract(raw, '$.inReplyToAuthorIdentityId') END,
        raw = pack_raw(raw);
    """,
    # 9: who wrote in which thread, once per author and thread, instead of an index entry per
    # content: the index on contents by author took a write for every content merged (the most
    # pages a merge dirtied, 38 bytes a content); a pair is written only when an author first
    # writes in a thread. Search by name, the customer panel and the channels a person wrote
    # on read it.
    """
    CREATE TABLE thread_authors (
        author_identity_id TEXT NOT NULL,
        thread_id TEXT NOT NULL,
        PRIMARY KEY (author_identity_id, thread_id)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO thread_authors (author_identity_id, thread_id)
        SELECT author_identity_id, thread_id FROM contents WHERE author_identity_id IS NOT NULL;
    DROP INDEX contents_author;
    """,
    # 10: no columns nothing reads: a content's status and the content it answers are in its
    # raw JSON, where the inspector and --json find them; as columns they were 34 bytes a
    # content (32 MiB at a million) written and never queried.
    """
    ALTER TABLE contents DROP COLUMN in_reply_to;
    ALTER TABLE contents DROP COLUMN status;
    """,
    # 11: the text index keeps no positions (detail=none) and no column sizes (columnsize=0):
    # its postings were a fifth of the file (235 bytes a content), positions most of them. The
    # search asks it for the rows holding every trigram of the typed text and checks those for
    # the text itself (store/folding.py), which answers what the phrase query did. Column sizes
    # are for ranking by relevance, which the filter box does not do. FTS5 changes neither in
    # place: the index is built again, same rows.
    """
    CREATE VIRTUAL TABLE contents_text_new USING fts5(
        body, title, tokenize = 'trigram', detail = none, columnsize = 0
    );
    INSERT INTO contents_text_new (contents_text_new, rank) VALUES ('automerge', 8);
    INSERT INTO contents_text_new (rowid, body, title)
        SELECT rowid, body, title FROM contents_text;
    DROP TABLE contents_text;
    ALTER TABLE contents_text_new RENAME TO contents_text;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
