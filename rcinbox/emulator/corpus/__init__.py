"""The text of the demo inbox, as data: who writes, what they write, and in which language.

These modules are tables, not logic: the seed generator (:mod:`rcinbox.emulator.seeding`) and the
simulated customers (:mod:`rcinbox.emulator.simulation`) draw from them. Changing a table changes
the seeded data (and the TUI snapshots built on it), so edit with that in mind: entries are read by
index, and their order is part of what a seed reproduces.

- ``business``: Acme's channels, agents, stores and how channels word a failed send.
- ``people``: name pools by locale and the other details customers' identities carry.
- ``languages``: per language, the topics (openers, answers, follow-ups) and the small talk.
- ``social``: reviews, public posts, agents' outreach, nudges, chime-ins, email extras, greetings.
- ``files``: what customers and agents attach.
- ``hostile``: bodies and names made to break a careless terminal UI.
"""
