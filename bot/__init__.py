"""Maraude: a Telegram bot for the field teams supporting exiled people."""
