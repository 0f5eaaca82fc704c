"""The Bot API emulator, driven through a real telegram.Bot and through raw HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import telegram
import tornado.httpserver
import tornado.netutil
import tornado.web
from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageEntity,
    ReplyParameters,
)
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter

from bot.sandbox.emulator import BotApiEmulator, BotApiError, parse_html

ALICE = 1001
BOB = 1002
GROUP = -2001


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        emulator.add_user(ALICE, "Alice", language_code="fr", username="alice")
        emulator.add_user(BOB, "Bob")
        emulator.add_group(GROUP, "Équipe Calais", [ALICE, BOB])
        yield emulator


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[telegram.Bot]:
    client = telegram.Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url)
    async with client:
        yield client


@pytest.fixture
async def http(emu: BotApiEmulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://{emu.host}:{emu.port}") as client:
        yield client


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in buttons])


def calls(emu: BotApiEmulator, method: str) -> int:
    return sum(1 for name, _ in emu.requests if name == method)


# ------------------------------------------------------------------------------ getMe, updates


async def test_get_me_describes_the_bot(bot: telegram.Bot, emu: BotApiEmulator) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (
        emu.bot_id,
        "maraude_test_bot",
        "Maraude",
        True,
    )
    assert me.can_join_groups is True
    assert me.can_read_all_group_messages is False
    assert me.supports_inline_queries is False
    assert emu.requests[0][0] == "getMe"


async def test_long_poll_returns_an_update_sent_during_the_wait(
    bot: telegram.Bot, emu: BotApiEmulator
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await emu.wait_until(lambda: calls(emu, "getUpdates") == 1)
    assert not poll.done()
    update_id = await emu.send_text(ALICE, "bonjour")
    (update,) = await asyncio.wait_for(poll, 2)
    assert update.update_id == update_id >= 10000
    assert update.message is not None
    assert update.message.text == "bonjour"
    assert update.message.chat.id == ALICE
    assert update.message.from_user is not None
    assert update.message.from_user.language_code == "fr"


async def test_an_empty_long_poll_answers_after_its_timeout(bot: telegram.Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(timeout=dtm.timedelta(seconds=0.2)) == ()
    assert 0.15 < loop.time() - started < 2


async def test_unconfirmed_updates_come_back_and_confirmed_ones_do_not(
    bot: telegram.Bot, emu: BotApiEmulator
) -> None:
    first = await emu.send_text(ALICE, "un")
    second = await emu.send_text(ALICE, "deux")
    assert [u.update_id for u in await bot.get_updates()] == [first, second]
    assert [u.update_id for u in await bot.get_updates()] == [first, second]
    assert [u.update_id for u in await bot.get_updates(offset=first + 1)] == [second]
    assert emu.pending_updates() == 1
    assert await bot.get_updates(offset=second + 1) == ()
    assert emu.pending_updates() == 0
    assert emu.confirmed_offset == second + 1
    assert await bot.get_updates() == ()


async def test_redeliver_puts_a_confirmed_update_back_with_its_id(
    bot: telegram.Bot, emu: BotApiEmulator
) -> None:
    update_id = await emu.send_text(ALICE, "/start")
    later = await emu.send_text(ALICE, "après")
    await bot.get_updates()
    assert await bot.get_updates(offset=later + 1) == ()
    await emu.redeliver(update_id)
    # The bot keeps polling with its newer offset and still gets the old update again.
    (again,) = await bot.get_updates(offset=later + 1)
    assert again.update_id == update_id
    assert again.message is not None
    assert again.message.text == "/start"
    assert await bot.get_updates(offset=update_id + 1) == ()
    assert emu.pending_updates() == 0
    with pytest.raises(LookupError):
        await emu.redeliver(1)


async def test_a_newer_poll_terminates_the_waiting_one_without_blame(
    bot: telegram.Bot, emu: BotApiEmulator
) -> None:
    waiting = asyncio.create_task(bot.get_updates(timeout=5))
    await emu.wait_until(lambda: calls(emu, "getUpdates") == 1)
    # A second bot instance (PTB allows one getUpdates at a time per Bot).
    second = telegram.Bot(emu.token, base_url=emu.base_url)
    async with second:
        assert await second.get_updates() == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await waiting
    assert emu.refused == []


async def test_commands_carry_a_bot_command_entity(bot: telegram.Bot, emu: BotApiEmulator) -> None:
    await emu.send_text(ALICE, "/start@maraude_test_bot lang-ar")
    await emu.send_text(ALICE, "hello /start")
    first, second = await bot.get_updates()
    assert first.message is not None
    assert second.message is not None
    assert first.message.entities == (
        MessageEntity(MessageEntity.BOT_COMMAND, offset=0, length=len("/start@maraude_test_bot")),
    )
    assert second.message.entities == ()


async def test_groups_only_deliver_commands_in_privacy_mode(
    bot: telegram.Bot, emu: BotApiEmulator
) -> None:
    assert await emu.send_text(ALICE, "salut l'équipe", chat_id=GROUP) == 0
    assert await emu.send_text(ALICE, "/help@another_bot", chat_id=GROUP) == 0
    command = await emu.send_text(BOB, "/help", chat_id=GROUP)
    (update,) = await bot.get_updates()
    assert update.update_id == command
    assert update.message is not None
    assert update.message.chat.type == "group"
    assert update.message.chat.title == "Équipe Calais"
    assert [m.text for m in emu.messages(GROUP)] == [
        "salut l'équipe",
        "/help@another_bot",
        "/help",
    ]
    with pytest.raises(LookupError):
        await emu.send_text(3003, "who am I?")


async def test_stickers_photos_and_locations_from_users(
    bot: telegram.Bot, emu: BotApiEmulator
) -> None:
    await emu.send_sticker(ALICE)
    await emu.send_photo(ALICE, caption="ici")
    await emu.send_location(ALICE, 50.95, 1.85)
    sticker, photo, location = [u.message for u in await bot.get_updates()]
    assert sticker is not None
    assert sticker.sticker is not None
    assert sticker.text is None
    assert photo is not None
    assert photo.caption == "ici"
    assert photo.photo
    downloaded = await (await bot.get_file(photo.photo[-1].file_id)).download_as_bytearray()
    assert bytes(downloaded).startswith(b"\x89PNG")
    assert location is not None
    assert location.location is not None
    assert (location.location.latitude, location.location.longitude) == (50.95, 1.85)
    assert [m.kind for m in emu.messages(ALICE)] == ["sticker", "photo", "location"]


# ------------------------------------------------------------------------------ buttons


async def test_press_sends_a_callback_query_ptb_understands(
    bot: telegram.Bot, emu: BotApiEmulator
) -> None:
    sent = await bot.send_message(
        ALICE,
        "<b>Choisir</b>",
        parse_mode="HTML",
        reply_markup=keyboard(("Oui", "y"), ("Non", "n")),
    )
    message = emu.last_bot_message(ALICE)
    assert [b.text for b in message.buttons()] == ["Oui", "Non"]
    assert message.button("n").text == "Non"
    assert message.button("No").callback_data == "n"  # a label containing the string
    update_id = await emu.press(ALICE, message, "Non")
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert update.update_id == update_id
    assert query is not None
    assert query.data == "n"
    assert query.from_user.id == ALICE
    assert isinstance(query.message, telegram.Message)
    assert query.message.message_id == sent.message_id
    assert query.message.text == "Choisir"
    assert query.message.reply_markup == sent.reply_markup
    assert emu.unanswered_callbacks() == [query.id]
    assert await query.answer("Merci")
    assert emu.callback_answers[query.id]["text"] == "Merci"
    assert emu.unanswered_callbacks() == []
    with pytest.raises(LookupError, match="'Oui'"):
        await emu.press(ALICE, message, "Peut-être")


async def test_press_needs_the_button_to_still_be_there(
    bot: telegram.Bot, emu: BotApiEmulator
) -> None:
    sent = await bot.send_message(ALICE, "Choisir", reply_markup=keyboard(("Oui", "y")))
    message = emu.last_bot_message(ALICE)
    await bot.edit_message_reply_markup(ALICE, sent.message_id)
    assert message.keyboard is None
    assert message.edits == 1
    with pytest.raises(LookupError):
        await emu.press(ALICE, message, "Oui")
    await bot.delete_message(ALICE, sent.message_id)
    with pytest.raises(LookupError):
        await emu.press(ALICE, message, "Oui")


# ------------------------------------------------------------------------------ refusals

Call = Callable[[telegram.Bot], Awaitable[object]]

REFUSALS = [
    pytest.param(
        lambda bot: bot.send_message(ALICE, "x" * 4097), "message is too long", id="too-long"
    ),
    pytest.param(
        lambda bot: bot.send_message(ALICE, "😀" * 2049),
        "message is too long",
        id="too-long-in-utf16",
    ),
    pytest.param(
        lambda bot: bot.send_message(ALICE, "<b> </b>", parse_mode="HTML"),
        "message text is empty",
        id="empty-after-parsing",
    ),
    pytest.param(
        lambda bot: bot.send_message(ALICE, "a", reply_markup=keyboard(("A", "x" * 65))),
        "BUTTON_DATA_INVALID",
        id="callback-data-65-bytes",
    ),
    pytest.param(
        # 40 letters, but 80 bytes in UTF-8: the limit is in bytes.
        lambda bot: bot.send_message(ALICE, "a", reply_markup=keyboard(("A", "ب" * 40))),
        "BUTTON_DATA_INVALID",
        id="callback-data-40-arabic-letters",
    ),
    pytest.param(
        lambda bot: bot.send_message(
            ALICE,
            "a",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton(str(i), callback_data=str(i))] for i in range(101)]
            ),
        ),
        "reply markup is too long",
        id="101-buttons",
    ),
    pytest.param(
        lambda bot: bot.send_message(
            ALICE,
            "a",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton(str(i), callback_data=str(i)) for i in range(9)]]
            ),
        ),
        "reply markup is too long",
        id="9-buttons-in-a-row",
    ),
    pytest.param(
        lambda bot: bot.send_message(
            ALICE,
            "a",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("112", url="tel:112")]]),
        ),
        "BUTTON_URL_INVALID",
        id="tel-url-button",
    ),
    pytest.param(
        lambda bot: bot.send_message(ALICE, "1 < 2", parse_mode="HTML"),
        'Unsupported start tag "" at byte offset 2',
        id="html-bare-less-than",
    ),
    pytest.param(
        lambda bot: bot.send_message(ALICE, "Tom & Jerry", parse_mode="HTML"),
        'Character "&" at byte offset 4 must be escaped',
        id="html-bare-ampersand",
    ),
    pytest.param(
        lambda bot: bot.send_message(ALICE, "<b>gras", parse_mode="HTML"),
        'Can\'t find end tag corresponding to start tag "b"',
        id="html-unclosed",
    ),
    pytest.param(
        lambda bot: bot.send_message(ALICE, "x", parse_mode="HTML5"),
        "unsupported parse_mode",
        id="unknown-parse-mode",
    ),
    pytest.param(lambda bot: bot.send_message(4242, "hi"), "chat not found", id="unknown-chat"),
    pytest.param(
        lambda bot: bot.send_message(ALICE, "hi", reply_parameters=ReplyParameters(99)),
        "message to be replied not found",
        id="reply-to-unknown",
    ),
    pytest.param(
        lambda bot: bot.send_photo(ALICE, b"not an image", filename="x.png"),
        "IMAGE_PROCESS_FAILED",
        id="photo-not-an-image",
    ),
    pytest.param(
        lambda bot: bot.send_document(ALICE, b"pdf", filename="a.pdf", caption="c" * 1025),
        "message caption is too long",
        id="caption-too-long",
    ),
    pytest.param(
        lambda bot: bot.send_document(ALICE, "no-such-file-id"),
        "wrong file identifier",
        id="unknown-file-id",
    ),
    pytest.param(lambda bot: bot.send_location(ALICE, 91, 0), "wrong latitude", id="latitude"),
    pytest.param(
        lambda bot: bot.send_location(ALICE, 0, -180.5), "wrong longitude", id="longitude"
    ),
    pytest.param(
        lambda bot: bot.send_chat_action(ALICE, "dancing"),
        "wrong parameter action in request",
        id="chat-action",
    ),
    pytest.param(
        lambda bot: bot.answer_callback_query("12345"),
        "query is too old and response timeout expired or query ID is invalid",
        id="unknown-callback-query",
    ),
    pytest.param(
        lambda bot: bot.set_my_commands([BotCommand("Start", "Commencer")]),
        "BOT_COMMAND_INVALID",
        id="command-uppercase",
    ),
    pytest.param(
        lambda bot: bot.set_my_commands([BotCommand("mon-menu", "Menu")]),
        "BOT_COMMAND_INVALID",
        id="command-dash",
    ),
    pytest.param(
        lambda bot: bot.set_my_commands([BotCommand("menu", " ")]),
        "command description is empty",
        id="command-description-empty",
    ),
    pytest.param(
        lambda bot: bot.set_my_commands([BotCommand("menu", "Menu")], language_code="fra"),
        "LANGUAGE_CODE_INVALID",
        id="language-code-3-letters",
    ),
    pytest.param(
        lambda bot: bot.set_webhook("http://127.0.0.1:1/hook", secret_token="pas de secret"),
        "secret token contains unallowed characters",
        id="webhook-secret",
    ),
    pytest.param(
        lambda bot: bot.set_webhook("http://example.org/hook"),
        "An HTTPS URL must be provided for webhook",
        id="webhook-plain-http",
    ),
    pytest.param(
        lambda bot: bot.get_chat(ALICE),
        "method not supported by the emulator",
        id="unsupported-method",
    ),
]


@pytest.mark.parametrize(("call", "description"), REFUSALS)
async def test_refused_like_telegram(
    bot: telegram.Bot, emu: BotApiEmulator, call: Call, description: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        await call(bot)
    assert description.lower() in str(caught.value).lower()
    (refusal,) = emu.refused
    assert refusal.error_code == 400
    assert refusal.description.startswith("Bad Request: ")
    assert description in refusal.description
    assert emu.bot_messages(ALICE) == []
    assert emu.commands == {}
    assert emu.webhook_url is None


def grid(count: int) -> InlineKeyboardMarkup:
    """`count` buttons, 8 to a row (the most a row shows)."""
    buttons = [InlineKeyboardButton(str(i), callback_data=str(i)) for i in range(count)]
    return InlineKeyboardMarkup([buttons[i : i + 8] for i in range(0, count, 8)])


async def test_a_keyboard_edited_past_100_buttons_is_refused(
    bot: telegram.Bot, emu: BotApiEmulator
) -> None:
    sent = await bot.send_message(ALICE, "Choisir", reply_markup=grid(100))  # the most allowed
    message = emu.last_bot_message(ALICE)
    with pytest.raises(BadRequest, match="Reply markup is too long"):
        await bot.edit_message_text(
            "Choisir encore", ALICE, sent.message_id, reply_markup=grid(101)
        )
    with pytest.raises(BadRequest, match="Reply markup is too long"):
        await bot.edit_message_reply_markup(ALICE, sent.message_id, reply_markup=grid(101))
    assert [r.method for r in emu.refused] == ["editMessageText", "editMessageReplyMarkup"]
    emu.refused.clear()
    assert (message.text, message.edits, len(message.buttons())) == ("Choisir", 0, 100)


async def test_limits_are_counted_like_telegram(bot: telegram.Bot, emu: BotApiEmulator) -> None:
    await bot.send_message(ALICE, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(ALICE, "😀" * 2048)
    await bot.send_message(ALICE, "  entouré d'espaces \n")
    await bot.send_message(ALICE, "a", reply_markup=keyboard(("A", "ب" * 32)))
    await bot.send_message(ALICE, "A &amp; B &lt;3 &#233;t&#xE9;", parse_mode="HTML")
    assert emu.refused == []
    trimmed, html = emu.bot_messages(ALICE)[2], emu.bot_messages(ALICE)[4]
    assert trimmed.plain_text == "entouré d'espaces"
    assert html.text == "A &amp; B &lt;3 &#233;t&#xE9;"
    assert html.plain_text == "A & B <3 été"


async def test_a_blocked_user_is_a_403_not_a_refusal(
    bot: telegram.Bot, emu: BotApiEmulator
) -> None:
    emu.block(BOB)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(BOB, "hello")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(BOB, "typing")
    assert [r.error_code for r in emu.blocked_sends] == [403, 403]
    assert emu.refused == []
    assert emu.bot_messages(BOB) == []
    emu.unblock(BOB)
    await bot.send_message(BOB, "hello again")
    assert emu.last_bot_message(BOB).text == "hello again"


async def test_edits_are_checked_like_telegram(bot: telegram.Bot, emu: BotApiEmulator) -> None:
    menu = keyboard(("Oui", "y"))
    sent = await bot.send_message(ALICE, "<b>Menu</b>", parse_mode="HTML", reply_markup=menu)
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_text(
            "<strong>Menu</strong>", ALICE, sent.message_id, parse_mode="HTML", reply_markup=menu
        )
    # Telegram drops the keyboard of a message edited without one: that is a change.
    edited = await bot.edit_message_text("<b>Menu</b>", ALICE, sent.message_id, parse_mode="HTML")
    assert isinstance(edited, telegram.Message)
    assert edited.reply_markup is None
    message = emu.last_bot_message(ALICE)
    assert (message.keyboard, message.edits) == (None, 1)
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_reply_markup(ALICE, sent.message_id)
    await bot.edit_message_text("Menu !", ALICE, sent.message_id, reply_markup=menu)
    assert (message.text, message.edits, message.button("Oui").callback_data) == ("Menu !", 2, "y")

    await emu.send_text(ALICE, "mon message")
    mine = emu.messages(ALICE)[-1]
    with pytest.raises(BadRequest, match=r"(?i)can't be edited"):
        await bot.edit_message_text("changé", ALICE, mine.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("changé", ALICE, 999)
    assert [r.description.split(":")[1].strip() for r in emu.refused] == [
        "message is not modified",
        "message is not modified",
        "message can't be edited",
        "message to edit not found",
    ]


async def test_delete_and_answer_twice_are_refused(bot: telegram.Bot, emu: BotApiEmulator) -> None:
    sent = await bot.send_message(ALICE, "éphémère", reply_markup=keyboard(("Ok", "ok")))
    await emu.press(ALICE, emu.last_bot_message(ALICE), "Ok")
    (update,) = await bot.get_updates()
    assert update.callback_query is not None
    await update.callback_query.answer()
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await update.callback_query.answer()
    assert await bot.delete_message(ALICE, sent.message_id)
    assert emu.bot_messages(ALICE) == []
    assert emu.messages(ALICE)[0].deleted
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(ALICE, sent.message_id)
    assert len(emu.refused) == 2


async def test_a_reply_to_the_users_message_is_recorded(
    bot: telegram.Bot, emu: BotApiEmulator
) -> None:
    await emu.send_text(BOB, "/aide", chat_id=GROUP)
    (update,) = await bot.get_updates()
    assert update.message is not None
    reply = await update.message.reply_text("Voici l'aide", do_quote=True)
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.text == "/aide"
    assert emu.last_bot_message(GROUP).extra["reply_to_message_id"] == update.message.message_id


# ------------------------------------------------------------------------------ flood control


async def test_flood_control_answers_429_with_retry_after(
    bot: telegram.Bot,
    emu: BotApiEmulator,
    http: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB warns on RetryAfter otherwise
    emu.limits.per_chat_per_second = 1
    await bot.send_message(ALICE, "un")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ALICE, "deux")
    assert caught.value.retry_after == dtm.timedelta(seconds=1)
    emu.limits.retry_after = 3
    response = await http.post(
        f"/bot{emu.token}/sendMessage", data={"chat_id": ALICE, "text": "3"}
    )
    assert response.status_code == 429
    assert response.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    assert [m.text for m in emu.bot_messages(ALICE)] == ["un"]
    assert len(emu.throttled) == 2
    assert emu.refused == []
    # Other chats have their own pace; groups are counted per minute.
    await bot.send_message(BOB, "à toi")
    emu.limits.per_group_per_minute = 2
    await bot.send_message(GROUP, "1")
    await bot.send_message(GROUP, "2")
    with pytest.raises(RetryAfter):
        await bot.send_message(GROUP, "3")
    emu.limits.global_per_second = 1
    emu.limits.per_chat_per_second = None
    with pytest.raises(RetryAfter):
        await bot.send_message(BOB, "encore")
    assert len(emu.throttled) == 4


# ------------------------------------------------------------------------------ webhook


class _Receiver(tornado.web.RequestHandler):
    def initialize(self, received: list[tuple[dict[str, Any], str | None]]) -> None:
        self.received = received

    def post(self) -> None:
        secret = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        self.received.append((json.loads(self.request.body), secret))
        self.set_status(500 if len(self.received) <= 2 else 200)


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[tuple[dict[str, Any], str | None]]]]:
    received: list[tuple[dict[str, Any], str | None]] = []
    app = tornado.web.Application([(r"/hook", _Receiver, {"received": received})])
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    server = tornado.httpserver.HTTPServer(app)
    server.add_sockets(sockets)
    yield f"http://127.0.0.1:{sockets[0].getsockname()[1]}/hook", received
    server.stop()
    await server.close_all_connections()


async def test_webhook_delivery_retries_until_accepted(
    bot: telegram.Bot,
    emu: BotApiEmulator,
    receiver: tuple[str, list[tuple[dict[str, Any], str | None]]],
) -> None:
    url, received = receiver
    assert await bot.set_webhook(url, secret_token="s3cr3t-Token_1")
    assert (await bot.get_webhook_info()).url == url
    update_id = await emu.send_text(ALICE, "par webhook")
    await emu.wait_until(lambda: emu.pending_updates() == 0, timeout=5)
    assert [(body["update_id"], secret) for body, secret in received] == [
        (update_id, "s3cr3t-Token_1")
    ] * 3
    assert received[-1][0]["message"]["text"] == "par webhook"
    assert emu.webhook_failures == 2
    assert emu.confirmed_offset == update_id + 1
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    assert [r.error_code for r in emu.refused] == [409]
    assert await bot.delete_webhook()
    assert emu.webhook_url is None
    assert await bot.get_updates() == ()


# ------------------------------------------------------------------------------ files, commands


async def test_send_document_records_the_uploaded_file(
    bot: telegram.Bot, emu: BotApiEmulator
) -> None:
    sent = await bot.send_document(
        ALICE,
        b"%PDF-1.4 tournee",
        filename="tournée.pdf",
        caption="<i>Plan</i>",
        parse_mode="HTML",
    )
    assert sent.document is not None
    assert (sent.document.file_name, sent.document.mime_type) == ("tournée.pdf", "application/pdf")
    assert sent.caption == "Plan"
    message = emu.last_bot_message(ALICE)
    assert message.kind == "document"
    assert (message.text, message.plain_text) == ("<i>Plan</i>", "Plan")
    assert message.extra["content"] == b"%PDF-1.4 tournee"
    assert message.extra["file_name"] == "tournée.pdf"
    again = await bot.send_document(BOB, sent.document.file_id)
    assert again.document is not None
    assert again.document.file_id == sent.document.file_id
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.4 tournee"
    with pytest.raises(BadRequest, match=r"(?i)type of file mismatch"):
        await bot.send_photo(ALICE, sent.document.file_id)


async def test_a_file_over_the_upload_limit_is_refused_with_413(
    bot: telegram.Bot, emu: BotApiEmulator
) -> None:
    emu.max_upload_bytes = 10  # stands for Telegram's 50 MB
    assert await bot.send_document(ALICE, b"0123456789", filename="fits.csv")
    with pytest.raises(NetworkError, match="Request Entity Too Large"):
        await bot.send_document(ALICE, b"0123456789!", filename="big.csv")
    assert [(r.method, r.error_code) for r in emu.refused] == [("sendDocument", 413)]
    emu.refused.clear()


async def test_photo_venue_and_chat_action(bot: telegram.Bot, emu: BotApiEmulator) -> None:
    photo = await bot.send_photo(ALICE, _PNG, caption="carte")
    assert photo.photo
    assert photo.caption == "carte"
    venue = await bot.send_venue(ALICE, 50.95, 1.85, "Distribution", "Rue de Moscou, Calais")
    assert venue.venue is not None
    assert venue.venue.title == "Distribution"
    assert venue.location is not None
    assert await bot.send_chat_action(ALICE, "typing")
    assert [(m.kind, m.text) for m in emu.messages(ALICE)] == [
        ("photo", "carte"),
        ("venue", "Distribution\nRue de Moscou, Calais"),
    ]
    assert emu.last_bot_message(ALICE).extra["latitude"] == 50.95


_PNG = b"\x89PNG\r\n\x1a\n" + bytes(24)  # the emulator, like Telegram, wants image bytes


async def test_commands_round_trip_per_scope_and_language(
    bot: telegram.Bot, emu: BotApiEmulator
) -> None:
    await bot.set_my_commands([BotCommand("start", "Commencer"), BotCommand("aide", "Aide")])
    await bot.set_my_commands(
        [BotCommand("start", "Start")], scope=BotCommandScopeAllPrivateChats(), language_code="en"
    )
    await bot.set_my_commands([BotCommand("tournee", "Tournée")], scope=BotCommandScopeChat(GROUP))
    assert emu.commands == {
        ("default", ""): [
            {"command": "start", "description": "Commencer"},
            {"command": "aide", "description": "Aide"},
        ],
        ("all_private_chats", "en"): [{"command": "start", "description": "Start"}],
        (f"chat:{GROUP}", ""): [{"command": "tournee", "description": "Tournée"}],
    }
    assert [c.command for c in await bot.get_my_commands()] == ["start", "aide"]
    english = await bot.get_my_commands(BotCommandScopeAllPrivateChats(), language_code="en")
    assert [(c.command, c.description) for c in english] == [("start", "Start")]
    # Telegram answers for exactly that scope and language: no fallback.
    assert await bot.get_my_commands(BotCommandScopeAllPrivateChats()) == ()
    assert await bot.delete_my_commands(BotCommandScopeChat(GROUP))
    assert (f"chat:{GROUP}", "") not in emu.commands
    assert emu.refused == []


# ------------------------------------------------------------------------------ raw HTTP


async def test_raw_http_parsing_and_routing(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    wrong = await http.post("/bot123:wrong/getMe")
    assert (wrong.status_code, wrong.json()["description"]) == (401, "Unauthorized")
    unknown = await http.post(f"/bot{emu.token}/frobnicate")
    assert (unknown.status_code, unknown.json()["description"]) == (404, "Not Found")
    by_json = await http.post(
        f"/bot{emu.token}/sendMessage", json={"chat_id": ALICE, "text": "en JSON"}
    )
    assert by_json.json()["result"]["text"] == "en JSON"
    by_query = await http.get(
        f"/bot{emu.token}/SENDMESSAGE", params={"chat_id": str(ALICE), "text": "123"}
    )
    assert by_query.json()["result"]["text"] == "123"  # a text stays a text
    by_form = await http.post(
        f"/bot{emu.token}/sendMessage",
        data={
            "chat_id": str(ALICE),
            "text": "formulaire",
            "reply_markup": json.dumps(
                {"inline_keyboard": [[{"text": "A", "url": "https://a.fr"}]]}
            ),
        },
    )
    assert by_form.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["url"] == (
        "https://a.fr"
    )
    assert emu.last_bot_message(ALICE).button("A").url == "https://a.fr"
    text_button = await http.post(
        f"/bot{emu.token}/sendMessage",
        json={
            "chat_id": ALICE,
            "text": "x",
            "reply_markup": {"inline_keyboard": [[{"text": "A"}]]},
        },
    )
    assert text_button.status_code == 400
    assert "Text buttons are unallowed" in text_button.json()["description"]
    assert [(r.method, r.error_code) for r in emu.refused] == [
        ("getMe", 401),
        ("frobnicate", 404),
        ("sendMessage", 400),
    ]
    assert emu.requests[2] == ("sendMessage", {"chat_id": ALICE, "text": "en JSON"})
    assert emu.requests[3][1]["chat_id"] == ALICE


async def test_control_interface_mirrors_the_python_api(
    bot: telegram.Bot, emu: BotApiEmulator, http: httpx.AsyncClient
) -> None:
    created = await http.post(
        "/control/users", json={"user_id": 3003, "first_name": "Chloé", "language_code": "fr"}
    )
    assert created.status_code == 200
    sent = await http.post("/control/send_text", json={"user_id": 3003, "text": "/start"})
    (update,) = await bot.get_updates()
    assert update.update_id == sent.json()["update_id"]
    await bot.send_message(3003, "Salut", reply_markup=keyboard(("Go", "go")))
    messages = (await http.get("/control/chats/3003/messages")).json()
    assert [(m["from_bot"], m["text"]) for m in messages] == [(False, "/start"), (True, "Salut")]
    assert messages[1]["keyboard"] == [[{"text": "Go", "callback_data": "go", "url": None}]]
    pressed = await http.post(
        "/control/press",
        json={
            "user_id": 3003,
            "chat_id": 3003,
            "message_id": messages[1]["message_id"],
            "button": "Go",
        },
    )
    located = await http.post(
        "/control/location", json={"user_id": 3003, "latitude": 51.03, "longitude": 2.37}
    )
    updates = await bot.get_updates(offset=update.update_id + 1)
    assert [u.update_id for u in updates] == [
        pressed.json()["update_id"],
        located.json()["update_id"],
    ]
    await bot.set_my_commands([BotCommand("start", "Commencer")])
    commands = (await http.get("/control/commands")).json()
    assert commands == [
        {
            "scope": "default",
            "language_code": "",
            "commands": [{"command": "start", "description": "Commencer"}],
        }
    ]
    with pytest.raises(BadRequest):
        await bot.send_message(4242, "nobody")
    refused = (await http.get("/control/refused")).json()
    assert [r["description"] for r in refused] == ["Bad Request: chat not found"]
    missing = await http.post("/control/send_text", json={"user_id": 9999, "text": "?"})
    assert missing.status_code == 400
    assert (await http.get("/control/nothing")).status_code == 404


# ------------------------------------------------------------------------------ waiting, HTML


async def test_wait_for_bot_message_waits_and_explains_timeouts(
    bot: telegram.Bot, emu: BotApiEmulator
) -> None:
    await bot.send_message(ALICE, "zéro")
    since = len(emu.bot_messages(ALICE))
    waiter = asyncio.create_task(
        emu.wait_for_bot_message(ALICE, lambda m: "deux" in (m.text or ""), since=since, timeout=5)
    )
    await bot.send_message(ALICE, "un")
    await bot.send_message(ALICE, "deux")
    assert (await waiter).text == "deux"
    with pytest.raises(TimeoutError, match="'zéro'"):
        await emu.wait_for_bot_message(ALICE, since=3, timeout=0.05)
    with pytest.raises(LookupError):
        emu.last_bot_message(BOB)


@pytest.mark.parametrize(
    ("html", "plain", "entities"),
    [
        ("<b>gras</b> <i>it</i>", "gras it", [("bold", 0, 4), ("italic", 5, 2)]),
        ("😀 <u>x</u>", "😀 x", [("underline", 3, 1)]),  # offsets in UTF-16 code units
        (
            '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>',
            "st",
            [
                ("spoiler", 0, 1),
                ("spoiler", 1, 1),
            ],
        ),
        ("<blockquote expandable>q</blockquote>", "q", [("expandable_blockquote", 0, 1)]),
        ("<B>x</B>", "x", [("bold", 0, 1)]),
        ("<b>x</>", "x", [("bold", 0, 1)]),
    ],
)
def test_parse_html_accepts_telegram_html(
    html: str, plain: str, entities: list[tuple[str, int, int]]
) -> None:
    text, parsed = parse_html(html)
    assert text == plain
    assert [(e["type"], e["offset"], e["length"]) for e in parsed] == entities


def test_parse_html_keeps_links_and_languages() -> None:
    _, (link,) = parse_html('<a href="https://osm.org/?mlat=50&amp;mlon=1">carte</a>')
    assert link["url"] == "https://osm.org/?mlat=50&mlon=1"
    _, (pre,) = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert (pre["type"], pre["language"]) == ("pre", "python")


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("<a>x</a>", 'Tag "a" must have a non-empty attribute "href"'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("a &nbsp; b", 'Character entity "&nbsp;" at byte offset 2 is not supported'),
        ('<a href="?a=1&b=2">x</a>', 'Character "&" at byte offset 13 must be escaped'),
        ("<b x>y</b>", 'Expected equal sign in declaration of an attribute of the tag "b"'),
        ("é <", "Unclosed start tag at byte offset 3"),  # offsets count UTF-8 bytes
    ],
)
def test_parse_html_refuses_what_telegram_refuses(html: str, error: str) -> None:
    with pytest.raises(BotApiError) as caught:
        parse_html(html)
    assert caught.value.error_code == 400
    assert caught.value.description.startswith("Bad Request: can't parse entities: ")
    assert error in caught.value.description


async def test_a_reply_keyboard_is_shown_tapped_and_removed(
    bot: telegram.Bot, emu: BotApiEmulator
) -> None:
    from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove

    markup = ReplyKeyboardMarkup(
        [[KeyboardButton("📍 Send my location", request_location=True)], ["⏭ Skip"]],
        one_time_keyboard=True,
    )
    await bot.send_message(ALICE, "Where are you?", reply_markup=markup)
    rows = emu.reply_keyboard(ALICE)
    assert rows == [
        [{"text": "📍 Send my location", "request_location": True}],
        [{"text": "⏭ Skip"}],
    ]
    # The location button makes the phone share a location; the other sends its text.
    await emu.tap_reply_button(ALICE, "📍", location=(50.95, 1.85))
    await emu.tap_reply_button(ALICE, "Skip")
    updates = await bot.get_updates(timeout=0)
    assert updates[0].message.location.latitude == 50.95
    assert updates[1].message.text == "⏭ Skip"
    await bot.send_message(ALICE, "Thanks", reply_markup=ReplyKeyboardRemove())
    assert emu.reply_keyboard(ALICE) is None
    with pytest.raises(LookupError):
        await emu.tap_reply_button(ALICE, "Skip")
    # Telegram refuses a keyboard that is not an array of arrays of buttons with a text.
    with pytest.raises(BadRequest):
        await bot.send_message(ALICE, "x", reply_markup={"keyboard": ["flat"]})  # type: ignore[arg-type]
    with pytest.raises(BadRequest):
        await bot.send_message(ALICE, "x", reply_markup={"keyboard": [[{"text": ""}]]})  # type: ignore[arg-type]
    emu.refused.clear()
