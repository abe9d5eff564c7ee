"""Logging in and staying logged in: the token store, the login flows, the loopback listener.

- :mod:`~rcinbox.auth.store`: one private token file per profile, shared by every rcinbox
  process, with renewals serialised across them (:class:`~rcinbox.auth.session.StoredSession`);
- :mod:`~rcinbox.auth.flows`: JWT and browser (PKCE) logins, keeping a new login, logging out;
- :mod:`~rcinbox.auth.loopback`: the 127.0.0.1 listener for the browser's redirect, and the
  parsing of an answer pasted over SSH.

No printing and no prompts here (the CLI asks and shows); never imports Textual. Import-light:
import the module you need.
"""
