"""Attachments made to test a client's downloads: hostile file names and a large file.

(file name, content type, size in bytes). The names try to write outside the download folder
(``../``, ``..\\``), hide their real extension behind a bidi override, carry terminal escapes and
a NUL, or are a name Windows reserves; the video is large enough that a download shows progress.
"""

from __future__ import annotations

SPECIMEN_FILES: tuple[tuple[str, str, int], ...] = (
    ("../../etc/passwd", "text/plain", 1_907),
    ("..\\..\\x.txt", "text/plain", 2_048),
    ("statement\u202efdp.exe\x1b[31m\x00.pdf", "application/pdf", 48_213),
    ("CON.txt", "text/plain", 1_200),
    ("site_visit.mp4", "video/mp4", 24_117_248),
)
