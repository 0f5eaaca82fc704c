from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_x"


def test_defaults_follow_the_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    settings = load_settings(_env_file=None)
    assert settings.bot_token is None
    assert settings.default_locale == "fr"
    assert settings.timezone == "Europe/Paris"
    assert settings.help_realert_minutes == 10
    assert settings.shift_reminder_minutes == 120
    assert settings.misfire_grace_minutes == 60
    assert settings.retention_days == 30
    assert settings.housing_daily_fee_eur == 5
    assert settings.file_base_url == "https://api.telegram.org/file/bot"


def test_environment_values_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("ADMIN_IDS", "12, 34")
    monkeypatch.setenv("TEAM_CHAT_ID", "-100123")
    settings = load_settings(_env_file=None)
    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == TOKEN
    assert TOKEN not in repr(settings)
    assert settings.admin_ids == frozenset({12, 34})
    assert settings.team_chat_id == -100123


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BOT_TOKEN", "not-a-token"),
        ("TIMEZONE", "Europe/Calais"),
        ("ADMIN_IDS", "12,abc"),
        ("DEFAULT_LOCALE", "de"),
        ("WEBHOOK_PORT", "70000"),
        ("WEBHOOK_SECRET", "has spaces"),
        ("DATABASE_URL", "mysql://x"),
        ("DATABASE_URL", "sqlite:///:memory:"),
        ("DISTRIBUTION_SLOTS", "18:00,07:00,22:00"),
        ("DISTRIBUTION_SLOTS", "7h,18h"),
    ],
)
def test_a_wrong_value_names_its_variable_in_one_line(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None)
    message = str(caught.value)
    assert message.startswith(f"{variable}: ")
    assert "\n" not in message
