"""The Textual UI. It talks only to the engine facade, never to httpx or SQLite."""
