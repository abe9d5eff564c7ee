"""Widgets of the inbox: sidebar, conversation list, conversation view, composer, status."""
