"""Tests of the sandbox: the Bot API emulator and the tools built on it."""
