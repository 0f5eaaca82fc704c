"""The sandbox's terminal chat as a trainer uses it (issue 9, point 12): the newcomer's
invitation, buttons pressed by number on a given message, `\\` escapes, messages shown as they
arrive, one notice per batch for another person, and a session no line can end.

The whole sandbox runs in the test's event loop: the real bot against the emulator, the
terminal reading lines from a script and writing to a screen the test reads."""

from __future__ import annotations

import asyncio
import io
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import telegram

from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.terminal import (
    HELP,
    NEWCOMER_ID,
    Line,
    TerminalChat,
    parse_line,
    session,
)
from bot.storage import Storage
from bot.storage.models import Role

AHMAD = 1001
TESFAY = 1002
LENA = NEWCOMER_ID
ANSI = re.compile(r"\033\[[0-9;]*m")
PROMPT_AHMAD = "Ahmad (private chat)> "
DEADLINE = 30.0  # only a bound on a wait; nothing is timed


class Screen(io.StringIO):
    """What the terminal printed, colour codes removed; a test waits on what appears."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = asyncio.Event()

    def write(self, text: str) -> int:
        written = super().write(ANSI.sub("", text))
        self.changed.set()
        return written

    @property
    def text(self) -> str:
        return self.getvalue()

    async def wait_for(self, pattern: str, start: int = 0) -> re.Match[str]:
        """Wait until pattern shows after position start; the match."""
        async with asyncio.timeout(DEADLINE):
            while (found := re.compile(pattern).search(self.text, start)) is None:
                self.changed.clear()
                await self.changed.wait()
        return found


class Script:
    """The lines a person types, one at a time, as the test decides; None is Ctrl-D."""

    def __init__(self, screen: Screen) -> None:
        self.screen = screen
        self.lines: asyncio.Queue[str | None] = asyncio.Queue()
        self.prompts = 0
        self.prompted = asyncio.Event()

    async def read_line(self, prompt: str) -> str | None:
        self.screen.write(prompt)  # as input() does on a pipe
        self.prompts += 1
        self.prompted.set()
        return await self.lines.get()

    async def type(self, line: str | None) -> None:
        """Type a line and wait until the terminal is done with it (it prompts again)."""
        before = self.prompts
        await self.lines.put(line)
        if line is None:
            return
        async with asyncio.timeout(DEADLINE):
            while self.prompts == before:
                self.prompted.clear()
                await self.prompted.wait()

    async def ready(self) -> None:
        async with asyncio.timeout(DEADLINE):
            while self.prompts == 0:
                await self.prompted.wait()


class Sandbox:
    def __init__(
        self, emu: BotApiEmulator, screen: Screen, script: Script, task: asyncio.Task[None]
    ):
        self.emu = emu
        self.screen = screen
        self.script = script
        self.task = task

    async def quit(self) -> None:
        await self.script.type(None)  # Ctrl-D
        await asyncio.wait_for(self.task, DEADLINE)


async def open_sandbox(database: Path) -> Sandbox:
    # A kept database remembers update ids, as in the real sandbox.
    emu = BotApiEmulator(first_update_id=int(time.time()))
    await emu.start()
    screen = Screen()
    script = Script(screen)
    task = asyncio.create_task(session(database, script.read_line, screen, emu=emu))
    await script.ready()
    return Sandbox(emu, screen, script, task)


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    opened = await open_sandbox(tmp_path / "sandbox.sqlite3")
    yield opened
    if not opened.task.done():
        await opened.quit()
    assert opened.emu.refused == []
    assert "That did not work" not in opened.screen.text


def user_texts(emu: BotApiEmulator, chat_id: int) -> list[str | None]:
    return [m.text for m in emu.messages(chat_id) if not m.from_bot]


# --- the line parser --------------------------------------------------------------------


def test_lines_are_understood_as_presses_taps_commands_or_text() -> None:
    assert parse_line("2") == Line("press", "2", 2)
    assert parse_line("  #5   2 ") == Line("press", "#5   2", 2, 5)
    assert parse_line("٣") == Line("press", "٣", 3)  # Arabic-Indic digits press too
    assert parse_line("k1") == Line("tap", "k1", 1)
    assert parse_line(":as 2") == Line("command", "as 2")
    assert parse_line("hello") == Line("text", "hello")
    assert parse_line("#hashtag") == Line("text", "#hashtag")
    assert parse_line("   ") == Line("empty")
    # A number too long to be a button is one that matches no button, never a crash.
    assert parse_line("9" * 5000).number == -1
    assert parse_line("#" + "9" * 5000 + " 1").message_id == -1


def test_a_message_number_alone_or_with_words_is_explained_not_sent() -> None:
    assert parse_line("#5").kind == "error"
    assert "#5 1" in parse_line("#5").text
    wrong = parse_line("#5 is the best")
    assert wrong.kind == "error"
    assert "\\" in wrong.text  # says how to send it as text


def test_a_backslash_sends_the_rest_as_text() -> None:
    assert parse_line("\\35") == Line("text", "35")
    assert parse_line("\\:)") == Line("text", ":)")
    assert parse_line("\\#5 2") == Line("text", "#5 2")
    assert parse_line("\\k1") == Line("text", "k1")
    assert parse_line("\\\\35") == Line("text", "\\35")
    assert parse_line("\\").kind == "error"
    # The in-terminal help says so.
    assert "\\35" in HELP
    assert "\\:)" in HELP
    assert "#5 2" in HELP


# --- a. the newcomer's invitation --------------------------------------------------------


async def test_the_newcomer_joins_with_the_invitation_her_hint_shows(tmp_path: Path) -> None:
    database = tmp_path / "kept.sqlite3"
    opened = await open_sandbox(database)
    screen, script = opened.screen, opened.script
    hint = await screen.wait_for(r"3\. Lena: newcomer with an invitation: type /start (\S+) ")
    code = hint.group(1)
    await script.type(":as 3")
    assert f"You are now Lena, newcomer with an invitation: type /start {code}" in screen.text
    mark = len(screen.text)
    await script.type(f"/start {code}")
    await screen.wait_for(r"Welcome to the Calais team", mark)
    # Sam, who made the invitation, is told; the trainer hears about it once.
    await screen.wait_for(r"\(1 new message for Sam \(:as 5\)\)", mark)
    await script.type(":as 5")
    await screen.wait_for(r"#\d+ bot: ✅ Lena", mark)
    await opened.quit()
    assert opened.emu.refused == []
    storage = Storage(database)
    await storage.open()
    try:
        lena = await storage.users.get(LENA)
        assert lena is not None
        assert lena.role is Role.VOLUNTEER
        assert lena.antenna == "calais"
        invite = await storage.invites.get(code)
        assert invite is not None
        assert invite.used_by == LENA
        assert invite.created_by == 3001  # made by the coordinator, as /invite does
    finally:
        await storage.close()
    # The same database kept: Lena is in the team, and no new invitation is made for her.
    again = await open_sandbox(database)
    await again.screen.wait_for(r"3\. Lena: newcomer with an invitation \(already used")
    await again.quit()


# --- b. buttons by their number on a given message ---------------------------------------


async def test_a_button_of_an_older_message_is_pressed_with_its_number(sandbox: Sandbox) -> None:
    emu, screen, script = sandbox.emu, sandbox.screen, sandbox.script
    await script.type("/start")  # #1 is Ahmad's, #2 the language picker
    await screen.wait_for(r"#2 bot: .*\n(.*\n)*.*\[13\] Français")
    await script.type("/menu")  # #3 Ahmad's, #4 the menu (in Arabic): now the last keyboard
    await screen.wait_for(r"#4 bot: ")
    presses = len(emu.callback_answers)
    sent = len(user_texts(emu, AHMAD))

    # Nothing is sent for a message that is not there, has no buttons, or a wrong index.
    await script.type("#99 1")
    assert "No message #99 in this chat." in screen.text
    await script.type("#3 1")
    assert "Message #3 has no buttons to press." in screen.text
    await script.type("#2 14")
    assert "Message #2 has no button 14: its buttons are 1 to 13." in screen.text
    await script.type("#2 0")
    assert "Message #2 has no button 0" in screen.text
    await script.type("99")  # the last keyboard is the menu's
    assert "Message #4 has no button 99" in screen.text
    await script.type("9" * 5000)
    assert "Message #4 has no button that long" in screen.text
    await script.type("#" + "9" * 5000 + " 1")
    assert "No message with that number in this chat." in screen.text
    assert len(emu.callback_answers) == presses
    assert len(user_texts(emu, AHMAD)) == sent

    # "#2 12" presses English on the older language picker, not a button of the menu.
    mark = len(screen.text)
    await script.type("#2 12")
    await screen.wait_for(r"#2 bot \(edited\): ✅ English", mark)
    assert len(emu.callback_answers) == presses + 1
    [picker] = [m for m in emu.bot_messages(AHMAD) if m.message_id == 2]
    assert "English" in (picker.plain_text or "")


async def test_a_number_where_no_buttons_were_shown_sends_nothing(sandbox: Sandbox) -> None:
    emu, screen, script = sandbox.emu, sandbox.screen, sandbox.script
    await script.type(":as 2")  # Tesfay has not talked to the bot yet
    await script.type("3")
    assert "No buttons in this chat to press. To send 3 as a text, type \\3." in screen.text
    assert emu.messages(TESFAY) == []
    assert emu.callback_answers == {}


# --- c. messages that arrive while the terminal waits -----------------------------------


async def test_a_message_that_comes_later_is_shown_without_enter(sandbox: Sandbox) -> None:
    emu, screen, script = sandbox.emu, sandbox.screen, sandbox.script
    prompts = script.prompts
    mark = len(screen.text)
    # Ahmad writes from his phone: the bot's answer arrives while the terminal waits for a line.
    await emu.send_text(AHMAD, "/start")
    shown = await screen.wait_for(r"#2 bot: [^\n]*\n", mark)
    # The prompt is drawn again after it, and no line was read meanwhile.
    await screen.wait_for(re.escape(PROMPT_AHMAD) + r"$", shown.end())
    assert script.prompts == prompts
    # It was shown once: Enter on an empty line does not print it again.
    await script.type("")
    assert screen.text.count("#2 bot:") == 1


async def test_arrivals_clear_the_prompt_line_and_give_back_what_was_typed() -> None:
    async with BotApiEmulator() as emu:
        emu.add_user(AHMAD, "Ahmad")
        screen = Screen()
        chat = TerminalChat(emu, screen, tty=True)
        chat._prompt = "Ahmad> "
        async with telegram.Bot(emu.token, base_url=emu.base_url) as bot:
            await bot.send_message(AHMAD, "Are you safe?")
        chat._show_arrivals()
        assert screen.text == "\r\033[K#1 bot: Are you safe?\nAhmad> "
        chat._show_arrivals()  # nothing new: nothing printed
        assert screen.text.count("Are you safe?") == 1


# --- d. escapes through the bot ----------------------------------------------------------


async def test_escaped_numbers_and_colons_are_sent_as_text(sandbox: Sandbox) -> None:
    emu, screen, script = sandbox.emu, sandbox.screen, sandbox.script
    await script.type("/start")  # a keyboard is shown: a bare 35 would be a press
    await screen.wait_for(r"\[13\] Français")
    presses = len(emu.callback_answers)
    await script.type("\\35")
    await script.type(":)")  # a terminal command that does not exist: said, not sent
    assert ":) is not a terminal command (see :help). To send it as a text, type \\:)" in (
        screen.text
    )
    await script.type("\\:)")
    assert user_texts(emu, AHMAD) == ["/start", "35", ":)"]
    assert len(emu.callback_answers) == presses


# --- e. one notice per batch for another person ------------------------------------------


async def test_another_persons_messages_are_announced_once_per_batch() -> None:
    async with BotApiEmulator() as emu:
        for user_id in (AHMAD, LENA):
            emu.add_user(user_id, "Someone")
        screen = Screen()
        chat = TerminalChat(emu, screen)  # Ahmad, in his private chat
        async with telegram.Bot(emu.token, base_url=emu.base_url) as bot:
            await bot.send_message(LENA, "one")
            await bot.send_message(LENA, "two")
            chat.show_new()
            await bot.send_message(AHMAD, "for Ahmad")
            chat.show_new()  # Ahmad's reply: Lena's two messages are not announced again
            chat.show_new()
            third = await bot.send_message(LENA, "three")
            chat.show_new()
            await bot.edit_message_text("three, edited", chat_id=LENA, message_id=third.message_id)
            chat.show_new()
            chat.show_new()
        notices = [line for line in screen.text.splitlines() if "for Lena" in line]
        assert notices == [
            "(2 new messages for Lena (:as 3))",
            "(1 new message for Lena (:as 3))",
            "(1 new message for Lena (:as 3))",  # the edit
        ]
        assert screen.text.count("#1 bot: for Ahmad") == 1
        # Reading her chat shows all three, and nothing more is announced.
        await chat.command("as 3")
        assert "#3 bot (edited): three, edited" in screen.text
        mark = len(screen.text)
        chat.show_new()
        assert screen.text[mark:] == ""


async def test_notices_in_the_sandbox_are_not_repeated_after_each_reply(sandbox: Sandbox) -> None:
    screen, script = sandbox.screen, sandbox.script
    await script.type("/start")
    await screen.wait_for(r"\[13\] Français")
    await script.type("/menu")
    await script.type("/help")
    # The admin's start-up notice is announced once, not after every answer.
    assert screen.text.count("new message for Alex") == 1


# --- robustness ---------------------------------------------------------------------------


async def test_a_failing_line_is_said_and_the_session_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with BotApiEmulator() as emu:
        emu.add_user(AHMAD, "Ahmad")
        screen = Screen()
        script = Script(screen)
        chat = TerminalChat(emu, screen)
        real_send = emu.send_text
        failures = iter([RuntimeError("the pretend network broke")])

        async def flaky(user_id: int, text: str, *, chat_id: int | None = None) -> int:
            for failure in failures:
                raise failure
            return await real_send(user_id, text, chat_id=chat_id)

        monkeypatch.setattr(emu, "send_text", flaky)
        run = asyncio.create_task(chat.run(script.read_line))
        await script.ready()
        await script.type("first")
        assert "That did not work (RuntimeError: the pretend network broke)." in screen.text
        await script.type("second")
        for line in ("#", "#x", "\\", ":", ":as", ":as 99", ":as " + "9" * 5000, "k" + "9" * 9):
            await script.type(line)
        assert user_texts(emu, AHMAD) == ["second", "#", "#x"]
        await script.type(None)  # Ctrl-D ends it cleanly
        await asyncio.wait_for(run, DEADLINE)
        assert screen.text.count("That did not work") == 1
