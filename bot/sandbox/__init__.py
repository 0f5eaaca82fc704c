"""Sandbox: a strict Telegram Bot API emulator to run the real bot against, in tests or by hand."""
