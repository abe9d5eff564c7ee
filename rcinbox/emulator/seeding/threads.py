"""The conversations: each thread's cast and script, and every content as the API returns it."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field, replace
from datetime import datetime
from html import escape
from operator import itemgetter

from rcinbox.api.channels import Initiation, Visibility

from ..corpus.business import SYNC_ERRORS
from ..corpus.files import BANNER, CAPTIONS, PHOTO, VOICE, FileSpec
from ..corpus.hostile import (
    ANSI_BODY,
    BIDI_BODY,
    CONTROL_BODY,
    HOSTILE_BIDI_NAME,
    HOSTILE_MARKUP_NAME,
    MARKUP_BODY,
    MEGA_SUBJECT,
    megabyte_body,
)
from ..corpus.languages import LANGUAGES
from ..corpus.model import Language, Topic
from ..corpus.social import (
    CHIME_INS,
    EMAIL_EXTRAS,
    GREETINGS,
    NUDGES,
    OUTREACH,
    POSTS,
    REVIEW_RESPONSES,
    REVIEWS,
)
from .basics import (
    DAY,
    DEFAULT_NOW,
    TENANT_URL,
    SeedData,
    capabilities_supported,
    epoch,
    fit,
    iso,
    object_id,
    pick,
    stamped,
)
from .persons import LANGUAGE_CODES, Identity
from .shape import CHAT, EMAIL, REVIEW, SYNCED, Cast, Channel, Plan
from .specimens import add_specimen_files
from .writing import Voice, address, email_frame, pick_review, thread_context


@dataclass(slots=True)
class Thread:
    """One conversation being generated: its cast, its script and what has been written."""

    channel: Channel
    id: str
    hostile: str | None
    agent_start: bool
    seq: list[bool]  # True: the customer's (inbound) message; False: an agent's
    ages: list[int]  # seconds before now, strictly decreasing
    next_out: list[int]  # index of the first agent message after each position, or -1
    public: bool
    in_type: str
    out_type: str
    customer: Identity
    lead_agent: Identity
    lang: Language
    locale: str
    language: str
    topic: Topic
    ctx: dict[str, str]
    title: str | None
    post: tuple[str, tuple[str, ...], tuple[str, ...]] | None
    review: tuple[int, str] | None
    commenters: list[Identity] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    authors: list[Identity] = field(default_factory=list)
    last_in: int = -1
    last_out: int = -1
    thanked: bool = False
    used: set[str] = field(default_factory=set)  # templates already used in this thread
    answers: tuple[str, ...] = ()  # what the customer may answer to an agent's first message
    asked: int = -1  # the topic follow-up the customer asked last, until an agent answers it
    opener: int = 0  # which of the topic's openers started the thread
    template: dict = field(default_factory=dict)  # the fields all its contents share


class Generator(Cast):
    """One run of ``generate``: the cast, then each thread written in plan order."""

    @staticmethod
    def template(ch: Channel, thread_id: str, language: str) -> dict:
        """Every ContentModel field in the API's order; ``None`` where each content differs."""
        return {
            "id": None,
            "creationTime": None,
            "lastModifiedTime": None,
            "authorIdentityId": None,
            "body": None,
            "bodyFormatted": None,
            "bodyInputFormat": "Text",
            "categoryIds": None,
            "contentDirection": None,
            "contextData": None,
            "createdFrom": None,
            "creatorId": None,
            "firstInThread": None,
            "inReplyToAuthorIdentityId": None,
            "inReplyToContentId": None,
            "interventionId": None,
            "language": language,
            "public": None,
            "published": None,
            "rating": None,
            "remotelyDeleted": False,
            "channelId": ch.record["id"],
            "channelType": ch.type,
            "channelUri": ch.uri,
            "status": None,
            "synchronizationStatus": None,
            "synchronizationError": None,
            "threadId": thread_id,
            "title": None,
            "type": None,
            "attachments": None,
            "autoSubmitted": False,
            "identityGroupId": None,
            "structuredContentSupported": bool(ch.caps),
            "capabilitiesSupported": None,
        }

    def start_thread(
        self, ch: Channel, agent_start: bool, size: int, last_age: int, hostile: str | None
    ) -> Thread:
        rng = self.rng
        r = rng.random
        ctype = ch.type
        seq = self.directions(size, agent_start, ch.pace == REVIEW)
        next_out = [-1] * size
        following = -1
        for j in range(size - 1, -1, -1):
            next_out[j] = following
            if not seq[j]:
                following = j
        post = None
        if agent_start and ch.initiation is Initiation.PUBLIC_POST:
            post = POSTS[ctype][int(r() * len(POSTS[ctype]))]
        public = ch.visibility is not Visibility.PRIVATE_ONLY
        in_type = out_type = "Message"
        if ctype == "Email":
            in_type = out_type = "Email"
        elif ctype == "Twitter":
            public = post is not None or r() < 0.6
            in_type = out_type = "Tweet" if public else "PrivateTweet"
        elif ctype in ("Instagram", "Facebook", "Youtube", "Linkedin"):
            in_type = out_type = "Comment"
        elif ctype == "GoogleMyBusiness":
            in_type, out_type = "Review", "ReviewResponse"

        if hostile == "markup":
            customer = self.hostile_customer(ch, HOSTILE_MARKUP_NAME)
        elif hostile == "bidi":
            customer = self.hostile_customer(ch, HOSTILE_BIDI_NAME)
        else:
            customer = self.customer(ch)
        agents = ch.agents
        # The demo agent handles a good share of the conversations.
        lead_agent = agents[0] if r() < 0.4 else agents[1 + int(r() * (len(agents) - 1))]
        locale = customer.person.locale if r() < 0.85 and not agent_start else "en"
        review = pick_review(rng, locale) if ch.pace == REVIEW else None
        if review is not None and locale not in REVIEWS:
            locale = "en"
        lang = LANGUAGES[locale]
        topics = [t for t in lang.topics if t.public] if public else lang.topics
        topic = topics[int(r() * len(topics))]
        ctx = thread_context(rng, lang)
        address(ctx, customer.person)
        title = None
        if ctype == "Email":
            title = MEGA_SUBJECT if hostile == "mega" else topic.subject.format_map(ctx)
        drawn = object_id(rng)
        ages = self.ages(seq, ch.pace, last_age)
        # A thread's id is its first content's: it was created with it.
        thread_id = stamped(drawn, self.now_ts - ages[0])
        return Thread(
            ch,
            thread_id,
            hostile,
            agent_start,
            seq,
            ages,
            next_out,
            public,
            in_type,
            out_type,
            customer,
            lead_agent,
            lang,
            locale,
            LANGUAGE_CODES[locale],
            topic,
            ctx,
            title,
            post,
            review,
            [customer],
            template=self.template(ch, thread_id, LANGUAGE_CODES[locale]),
        )

    # -- what each message says -------------------------------------------------------------

    def inbound(self, t: Thread, j: int) -> dict:
        rng = self.rng
        r = rng.random
        ch = t.channel
        lang, ctx, seq = t.lang, t.ctx, t.seq
        author = t.customer
        if t.post is not None or (t.public and t.topic.shared and j > 0 and r() < 0.2):
            # Public conversations draw other people in.
            joined = len(t.commenters)
            if joined < 6 and ((joined == 1 and t.post is None) or r() < 0.5):
                t.commenters.append(self.new_customer(ch))
            author = t.commenters[int(r() * len(t.commenters))]
        chiming_in = author is not t.customer and t.post is None
        kind = t.in_type
        rating = None
        if j == 0:
            body = self.opener(t)
            if t.review is not None:
                rating = t.review[0]
        elif t.post is not None:
            body = self.fresh(t, t.post[1]).format_map(ctx)
        elif chiming_in:
            body = self.fresh(t, CHIME_INS)
        elif t.agent_start and j == 1:
            body = self.fresh(t, t.answers)
        elif t.last_out < 0:
            body = self.fresh(t, lang.waiting)
        elif j == len(seq) - 1 and not seq[j - 1] and r() < 0.4:
            body = self.fresh(t, lang.thanks)
            t.thanked = True
        elif t.topic.followups and not t.agent_start and r() < 0.55:
            body = self.fresh(t, t.topic.followups)
            t.asked = t.topic.followups.index(body)
            body = body.format_map(ctx)
        else:
            body = self.fresh(t, lang.followups)
        if ch.type == "Email" and (j > 0 or t.hostile is None):
            body = email_frame(lang.customer_email, body, ctx, body.startswith(GREETINGS))
            if j == 0 and t.locale == "en" and r() < 0.12:
                body += pick(rng, EMAIL_EXTRAS)
        elif kind == "Tweet":
            body = f"@AcmeSupport {body}"
        if j > 0 or t.hostile is None:
            body = fit(body, ch.max_body)
        attachments: list[dict] = []
        if t.hostile is None and ch.pace != REVIEW:
            if ch.pace == CHAT and r() < 0.015:
                attachments, kind, body = self.attachments((VOICE,), t.public), "Media", ""
            elif (j == 0 or t.asked >= 0) and r() < t.topic.attach:
                # Files come with the first message or an answer to the agent's question.
                attachments, kind, body = self.inbound_media(t, kind, body, j)
        created = self.now_ts - t.ages[j]
        if t.next_out[j] >= 0:
            status, modified = "Replied", self.now_ts - t.ages[t.next_out[j]]
        elif t.thanked:
            status, modified = "Ignored", created + min(t.ages[j] - 1, int(r() * 3600))
        else:
            status, modified = "New", created + int(r() * 3)
        reply_to = t.last_out if t.last_out >= 0 else None
        t.last_in = j
        return self.record(
            t, j, author, body, kind, t.public, status, created, modified, reply_to,
            "Synchronizer", None, SYNCED, rating, attachments, None,
        )  # fmt: skip

    def opener(self, t: Thread) -> str:
        if t.hostile is not None:
            return {
                "mega": megabyte_body(),
                "markup": MARKUP_BODY,
                "ansi": ANSI_BODY,
                "bidi": BIDI_BODY,
                "controls": CONTROL_BODY,
            }[t.hostile]
        if t.review is not None:
            return t.review[1]
        t.opener = int(self.rng.random() * len(t.topic.openers))
        return t.topic.openers[t.opener].format_map(t.ctx)

    def inbound_media(self, t: Thread, kind: str, body: str, j: int) -> tuple[list[dict], str, str]:
        """Attach what this customer would send: photos, screenshots, receipts, videos."""
        r = self.rng.random
        files = t.topic.files
        if t.channel.pace not in (CHAT, EMAIL):
            # Public comments carry pictures, not documents.
            files = tuple(f for f in files if f[0].startswith("image/")) or (PHOTO,)
        attachments = self.attachments(files, t.public)
        if t.channel.pace == CHAT:
            kind = "Media"
            if j > 0 and t.locale == "en" and r() < 0.3:
                body = pick(self.rng, CAPTIONS)  # the picture says the rest
        return attachments, kind, body

    def fresh(self, t: Thread, options: tuple[str, ...]) -> str:
        """A random option this thread has not used yet (people rarely repeat themselves)."""
        count = len(options)
        start = int(self.rng.random() * count)
        for k in range(count):
            option = options[(start + k) % count]
            if option not in t.used:
                t.used.add(option)
                return option
        return options[start]

    def attachments(self, specs: tuple[FileSpec, ...], public: bool) -> list[dict]:
        rng = self.rng
        r = rng.random
        result = []
        content_type, names, (low, high) = specs[int(r() * len(specs))]
        # People send a few photos at once, other files one at a time.
        count = 1 if not content_type.startswith("image/") or r() < 0.8 else 2 + int(r() * 3)
        for _ in range(count):
            attachment_id = object_id(rng)
            name = names[int(r() * len(names))].format(n=1000 + int(r() * 99000))
            result.append(
                {
                    "id": attachment_id,
                    "contentType": content_type,
                    "creationTime": None,
                    "lastModifiedTime": None,
                    "embedded": False,
                    "filename": name,
                    "public": public,
                    "size": low + int(r() * (high - low)),
                    "uri": f"{TENANT_URL}/files/attachments/{attachment_id}",
                    "attachableId": None,
                    "attachableType": "Content",
                }
            )
        return result

    def outbound(self, t: Thread, j: int) -> dict:
        rng = self.rng
        r = rng.random
        ch = t.channel
        lang, ctx = t.lang, t.ctx
        agent = t.lead_agent if r() < 0.85 else ch.agents[int(r() * len(ch.agents))]
        ctx["agent"] = agent.person.first
        kind, public = t.out_type, t.public
        structured = None
        reply_to = None
        first_reply = False
        if j == 0:
            status = "UserInitiated"
            # The person it is addressed to (or a follower) was known before it was sent.
            t.customer.oldest = max(t.customer.oldest, t.ages[0])
            t.customer.newest = min(t.customer.newest, t.ages[0])
            if t.post is not None:
                body = t.post[0]
                kind = "Status" if ch.type in ("Facebook", "Linkedin") else kind
            else:
                subject, body, t.answers = pick(rng, OUTREACH[ch.type])
                body = body.format_map(ctx)
                if subject is not None:
                    t.title = subject.format_map(ctx)
                if ch.type == "WhatsApp":
                    # Template sends carry their text in structuredContent.subtitle.
                    kind = "OutboundMessage"
                    structured = {"subtitle": body}
        else:
            status = "UserReply"
            reply_to = t.last_in
            address(ctx, t.authors[reply_to].person)
            first_reply = t.last_out < 0 and not t.agent_start
            if t.review is not None:
                good, bad = REVIEW_RESPONSES[t.locale]
                body = pick(rng, good if t.review[0] >= 4 else bad).format_map(ctx)
            elif t.post is not None:
                body = self.fresh(t, t.post[2]).format_map(ctx)
            elif t.thanked:
                body = self.fresh(t, lang.closings).format_map(ctx)
            elif first_reply:
                # Openers and first replies are written in pairs.
                body = t.topic.replies[t.opener % len(t.topic.replies)].format_map(ctx)
            elif t.last_out == j - 1:
                body = self.fresh(t, NUDGES[t.locale])  # a second message in a row
            elif 0 <= t.asked < len(t.topic.agent_followups):
                body = t.topic.agent_followups[t.asked].format_map(ctx)
                t.asked = -1
            else:
                body = self.fresh(t, lang.agent_followups).format_map(ctx)
            if ch.type in ("Instagram", "Facebook") and r() < 0.12:
                kind, public = "Message", False  # a private reply to a public comment
        if ch.type == "Email":
            # Replies that already greet the customer by name skip the template's greeting.
            named = ctx["first"] in body[:40] or ctx["full"] in body[:40]
            body = email_frame(lang.agent_email, body, ctx, named)
        elif kind == "Tweet" and j > 0:
            body = f"@{ctx['handle']} {body}"
        if len(body) > ch.max_body:
            body = lang.short_reply.format_map(ctx)
        body = fit(body, ch.max_body)
        sync = SYNCED if r() >= 0.02 else ("Failed", SYNC_ERRORS[ch.type], False)
        attachments: list[dict] = []
        if t.post is not None and j == 0 and ch.type == "Facebook" and r() < 0.5:
            attachments, kind = self.attachments((BANNER,), True), "Photo"
        elif j > 0 and first_reply and t.topic.agent_files and r() < 0.3:
            attachments = self.attachments(t.topic.agent_files, public)
        created = self.now_ts - t.ages[j]
        created_from = "Interface" if r() < 0.85 else "Api"
        t.last_out = j
        return self.record(
            t, j, agent, body, kind, public, status, created, created + 1 + int(r() * 5),
            reply_to, created_from, agent.record["userIds"][0], sync, None, attachments,
            structured,
        )  # fmt: skip

    def record(
        self,
        t: Thread,
        j: int,
        author: Identity,
        body: str,
        kind: str,
        public: bool,
        status: str,
        created: int,
        modified: int,
        reply_to: int | None,
        created_from: str,
        creator: str | None,
        sync: tuple[str, str | None, bool],
        rating: int | None,
        attachments: list[dict],
        structured: dict | None,
    ) -> dict:
        """The content at position ``j`` of ``t``, as the API returns it."""
        age = t.ages[j]
        if age > author.oldest:
            author.oldest = age
        if age < author.newest:
            author.newest = age
        content_id = object_id(self.rng, created)
        # iso inlined: two timestamps per content add up at 100k contents.
        suffixes, prefixes = self.clock_suffixes, self.day_prefixes
        created_iso = prefixes[created // DAY] + suffixes[created % DAY]
        for attachment in attachments:
            # Attachments are created with their content (their ids were drawn before its time).
            attachment_id = attachment["id"] = stamped(attachment["id"], created)
            attachment["uri"] = f"{TENANT_URL}/files/attachments/{attachment_id}"
            attachment["creationTime"] = attachment["lastModifiedTime"] = created_iso
            attachment["attachableId"] = content_id
        title = t.title
        if title is not None and j > 0:
            title = f"Re: {title}"
        # Copying the thread's template and filling in the rest is about twice as fast as a
        # dict display of all 35 fields.
        record = t.template.copy()
        record["id"] = content_id
        record["creationTime"] = created_iso
        record["lastModifiedTime"] = prefixes[modified // DAY] + suffixes[modified % DAY]
        record["authorIdentityId"] = author.record["id"]
        record["body"] = body
        record["bodyFormatted"] = {"Text": body, "Html": f"<p>{escape(body)}</p>"}
        record["categoryIds"] = []
        record["contentDirection"] = "Incoming" if t.seq[j] else "Outgoing"
        record["createdFrom"] = created_from
        record["creatorId"] = creator
        record["firstInThread"] = j == 0
        if reply_to is not None:
            record["inReplyToAuthorIdentityId"] = t.authors[reply_to].record["id"]
            record["inReplyToContentId"] = t.ids[reply_to]
        record["public"] = public
        record["synchronizationStatus"], record["synchronizationError"], record["published"] = sync
        record["rating"] = rating
        record["status"] = status
        record["title"] = title
        record["type"] = kind
        record["attachments"] = attachments
        record["identityGroupId"] = author.person.group_id
        record["capabilitiesSupported"] = capabilities_supported(t.channel.type)
        if structured is not None:
            record["structuredContent"] = structured
        t.ids.append(content_id)
        t.authors.append(author)
        return record

    def thread(self, plan: Plan) -> None:
        t = self.start_thread(*plan)
        append = self.contents.append
        for j, inbound in enumerate(t.seq):
            append(self.inbound(t, j) if inbound else self.outbound(t, j))
        self.voices[t.id] = self.voice(t)

    @staticmethod
    def voice(t: Thread) -> Voice:
        """How the thread's customer goes on (see ``simulation``): under a post, the follower who
        commented last; otherwise whoever wrote its first customer message, or the customer an
        agent wrote to. A review's author comments on, off any topic."""
        if t.post is not None:
            author = t.authors[t.last_in] if t.last_in >= 0 else t.customer
        else:
            first_in = next((j for j, inbound in enumerate(t.seq) if inbound), -1)
            author = t.authors[first_in] if first_in >= 0 else t.customer
        topic = None if t.review is not None else t.topic
        comments = t.post[1] if t.post is not None else ()
        return Voice(t.locale, topic, t.ctx, author.person, author.record["id"], comments)

    def finish(self) -> SeedData:
        now_ts = self.now_ts
        records = []
        # An identity's creation time is known only now (it precedes its oldest content), so
        # its id gets its time now, and the contents and voices naming it follow.
        renamed: dict[str, str] = {}
        for ident in self.identities:
            record = ident.record
            created = now_ts - ident.oldest - ident.lead
            record["creationTime"] = iso(created)
            record["lastModifiedTime"] = iso(max(created, now_ts - ident.newest))
            renamed[record["id"]] = record["id"] = stamped(record["id"], created)
            records.append(record)
        for content in self.contents:
            content["authorIdentityId"] = renamed[content["authorIdentityId"]]
            answered = content["inReplyToAuthorIdentityId"]
            if answered is not None:
                content["inReplyToAuthorIdentityId"] = renamed[answered]
        self.voices = {
            thread_id: replace(voice, customer_id=renamed[voice.customer_id])
            for thread_id, voice in self.voices.items()
        }
        records.sort(key=itemgetter("creationTime", "id"))
        # Timestamps have one fixed width, so one concatenated string sorts as the pair would.
        self.contents.sort(key=lambda c: c["creationTime"] + c["id"])
        channels = [c.record for c in self.channels]
        return SeedData(self.owner_id, channels, records, self.contents, self.voices)


def generate(seed: int = 1, contents: int = 2000, now: datetime | None = None) -> SeedData:
    """The demo inbox for ``seed``: ``contents`` contents in about ``contents / 6`` threads.

    Every timestamp lies before ``now`` (default ``DEFAULT_NOW``): the newest thread is minutes
    old, the oldest content about 90 days. Same arguments, same data, byte for byte.
    """
    generator = Generator(seed, epoch(now or DEFAULT_NOW))
    # Building 100k records triggers the cyclic collector hundreds of times for nothing (the
    # records hold no cycles); pausing it makes generation about twice as fast.
    collecting = gc.isenabled()
    gc.disable()
    try:
        generator.make_team()
        generator.make_channels()
        for plan in generator.plan(contents):
            generator.thread(plan)
        data = generator.finish()
        if contents >= 50:
            # Like the hostile bodies, the hostile file names are in every inbox big enough.
            add_specimen_files(data.contents, seed)
        return data
    finally:
        if collecting:
            gc.enable()
