"""Telegram: an office's bot as a citizen channel, and its admin group for consultations."""
