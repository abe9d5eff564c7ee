"""Files customers and agents attach: (content type, file name forms, size range in bytes)."""

from __future__ import annotations

FileSpec = tuple[str, tuple[str, ...], tuple[int, int]]
# (content type, file name forms, size range in bytes) of what customers and agents attach.
PHOTO: FileSpec = (
    "image/jpeg",
    ("IMG_{n}.jpg", "PXL_{n}.jpg", "photo_{n}.jpeg", "WhatsApp Image {n}.jpeg"),
    (80_000, 4_500_000),
)
SCREENSHOT: FileSpec = (
    "image/png",
    ("Screenshot_{n}.png", "screenshot {n}.png"),
    (40_000, 1_800_000),
)
RECEIPT: FileSpec = ("application/pdf", ("receipt_{n}.pdf", "Invoice-{n}.pdf"), (30_000, 900_000))
VOICE: FileSpec = ("audio/ogg", ("voice_note_{n}.ogg", "PTT-{n}.opus"), (6_000, 400_000))
VIDEO: FileSpec = ("video/mp4", ("VID_{n}.mp4", "video_{n}.mov"), (1_500_000, 45_000_000))
LABEL: FileSpec = (
    "application/pdf",
    ("return_label_{n}.pdf", "invoice_{n}.pdf"),
    (25_000, 250_000),
)
GUIDE: FileSpec = (
    "image/png",
    ("size_guide.png", "care_instructions_{n}.png"),
    (60_000, 600_000),
)
BANNER: FileSpec = ("image/jpeg", ("acme_post_{n}.jpg", "banner_{n}.jpg"), (150_000, 2_500_000))
CAPTIONS = ("📷", "See attached", "This is what arrived")
