"""rcinbox: a terminal inbox for the RingCentral Social Messaging API."""

__version__ = "0.1.0"
