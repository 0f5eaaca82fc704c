"""The domain: plain async classes with typed inputs and outputs, no Telegram types."""
