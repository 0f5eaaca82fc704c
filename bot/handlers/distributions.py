"""/distrib (quick and guided) and /undo (SPEC §2 /distrib); /places and /items are in
`bot.handlers.catalogue`."""

from __future__ import annotations

import secrets

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import (
    DistAgain,
    DistFix,
    DistItem,
    DistMenu,
    DistPage,
    DistQty,
    DistSave,
    StaleButton,
)
from bot.context import BotContext, Services
from bot.handlers.catalogue import retired_answer
from bot.handlers.common import (
    ECHO_MAX,
    ask_privately,
    asked_privately,
    error_text,
    refuse,
    typed_here,
)
from bot.i18n import Markup, Translator, escape, pN_
from bot.services.distributions import (
    MAX_LINES,
    MAX_OPEN_DRAFTS,
    MAX_QUANTITY,
    Logged,
    QuickLine,
    QuickLog,
    parse_quantity,
)
from bot.services.errors import DomainError
from bot.services.outbox import Button, Keyboard
from bot.storage.models import Distribution, Role

# Items per page of the guided form: a keyboard holds 100 buttons at most, and a phone screen
# far fewer; the most used come first, the others one "More" away.
ITEMS_PER_PAGE = 20
QUANTITIES = (5, 10, 20, 50)
MORE_QUANTITIES = (1, 2, 3, 4, 6, 8, 15, 25, 30, 40, 75, 100, 150, 200, 300, 500)
SLOT_NAMES = {
    "day": pN_("slot", "day"),
    "evening": pN_("slot", "evening"),
    "night": pN_("slot", "night"),
}


def nonce() -> str:
    """Eight hex digits: unique enough per person, short enough for 64-byte callback data."""
    return secrets.token_hex(4)


def quantity_text(context: BotContext, code: str, quantity: int) -> Markup:
    """ "40 × blankets", "12 kg wood", "30 L water": the item in the reader's language."""
    return item_quantity(context.services, context.t, code, quantity)


def item_quantity(services: Services, t: Translator, code: str, quantity: int) -> Markup:
    """`quantity_text` for a reader other than the caller (a team chat, from a job)."""
    catalogue = services.distributions.catalogue
    name = catalogue.item_name(code, t.locale, quantity)
    item = catalogue.all_items.get(code)
    unit = item.unit if item else "piece"
    return t.fmt_quantity(quantity, unit, name)


def place_name(context: BotContext, place_id: int | None) -> Markup:
    place = context.services.distributions.catalogue.all_places.get(place_id or 0)
    return escape(place.name) if place else Markup("")


def render_saved(
    context: BotContext,
    rows: list[Distribution],
    *,
    duplicate: bool,
    notes: list[str] | None = None,
) -> str:
    """What was saved; `notes` say what was not (before the hint to undo)."""
    t = context.t
    what = ", ".join(quantity_text(context, row.item_code, row.quantity) for row in rows)
    where = place_name(context, rows[0].place_id)
    slot = escape(t.marked(SLOT_NAMES[rows[0].slot]))
    # Every part is already HTML-safe: the sentence must not escape them again.
    details = Markup(f"{what} · {where} · {slot}" if where else f"{what} · {slot}")
    if duplicate:
        return t._("ℹ️ Already saved: {details}.", details=details)
    return "\n".join(
        [
            t._("✅ Saved: {details}.", details=details),
            *(notes or []),
            t._("Made a mistake? Send /undo within 15 minutes."),
        ]
    )


async def _save(
    update: Update,
    context: BotContext,
    lines: list[tuple[str, int]],
    place_id: int | None,
    key: str | None,
) -> None:
    try:
        logged = await context.services.distributions.log(context.user, lines, place_id, key)
    except DomainError as error:
        await refuse(update, context, error)
        return
    text = render_saved(context, logged.rows, duplicate=logged.duplicate)
    if update.callback_query is None:
        await context.reply(update, text)
    elif logged.duplicate:
        # A second tap: the message already says "saved"; a toast is enough.
        await context.answer(update, text)
    else:
        await context.edit(update, text)


# --- guided form ------------------------------------------------------------------------------


async def item_step(update: Update, context: BotContext, page: int = 0) -> None:
    """Step 1: what was given (the team's most used first), or one tap to log it again."""
    t = context.t
    services = context.services
    # Back to the items (or /distrib again): a number asked by "➕ Other number" is not.
    await services.distributions.forget_number_wait(context.user)
    try:
        codes = await services.distributions.items_for(context.user)
        pages = max(1, -(-len(codes) // ITEMS_PER_PAGE))
        if not 0 <= page < pages:
            raise DomainError("stale_button")
    except DomainError as error:
        await refuse(update, context, error)
        return
    rows: Keyboard = []
    last = await services.distributions.last_log(context.user) if page == 0 else None
    if last:
        summary = ", ".join(quantity_text(context, r.item_code, r.quantity) for r in last)
        where = place_name(context, last[0].place_id)
        what = Markup(f"{summary} · {where}" if where else summary)
        label = t.p_("button", "🔁 Again: {what}", what=what)
        rows.append([Button(label, data=DistAgain(last[0].batch, nonce()).pack())])
    buttons = [
        Button(
            # Labels are escaped like messages: the outbox turns them back into plain text.
            escape(services.distributions.catalogue.item_name(code, t.locale)),
            data=DistItem(code, more=False).pack(),
        )
        for code in codes[page * ITEMS_PER_PAGE : (page + 1) * ITEMS_PER_PAGE]
    ]
    rows += [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    paging = []
    if page > 0:
        paging.append(Button(t.p_("button", "⬅️ Back"), data=DistMenu().pack()))
    if page + 1 < pages:
        paging.append(Button(t.p_("button", "➡️ More"), data=DistPage(page + 1).pack()))
    if paging:
        rows.append(paging)
    await context.edit(update, t._("📦 What did you give? Tap an item."), rows)


async def quantity_step(update: Update, context: BotContext) -> None:
    """Step 2: how many (four usual numbers, or more numbers on a second keyboard)."""
    t = context.t
    try:
        chosen = DistItem.unpack(update.callback_query.data if update.callback_query else None)
        if not context.user.has(Role.VOLUNTEER):
            raise DomainError("not_allowed")
        if chosen.item not in context.services.distributions.catalogue.items:
            raise DomainError("stale_button")
    except DomainError:
        await refuse(update, context, DomainError("stale_button"))
        return
    if chosen.more:
        # The next typed number is this item's quantity (see number_typed).
        await context.services.distributions.await_number(context.user, chosen.item)
    else:
        await context.services.distributions.forget_number_wait(context.user)
    key = nonce()
    numbers = MORE_QUANTITIES if chosen.more else QUANTITIES
    buttons = [Button(str(n), data=DistQty(chosen.item, n, key).pack()) for n in numbers]
    per_row = 4
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    if not chosen.more:
        rows.append(
            [Button(t.p_("button", "➕ Other number"), data=DistItem(chosen.item, True).pack())]
        )
    rows.append([Button(t.p_("button", "⬅️ Back"), data=DistMenu().pack())])
    name = escape(context.services.distributions.catalogue.item_name(chosen.item, t.locale))
    text = t._("📦 {item}: how many?", item=name)
    if chosen.more:
        another = t._("Another number? Type it, for example: {example}", example="35")
        if not typed_here(update):
            await ask_privately(update, context, text + "\n" + another, rows)
            another = asked_privately(t)
        text += "\n" + another
    await context.edit(update, text, rows)


async def place_step(update: Update, context: BotContext) -> None:
    """Step 3: where (recent places first), or share a location."""
    try:
        chosen = DistQty.unpack(update.callback_query.data if update.callback_query else None)
    except StaleButton as error:
        await refuse(update, context, error)
        return
    await context.services.distributions.forget_number_wait(context.user)
    await show_places(update, context, chosen.item, chosen.quantity, chosen.nonce)


async def show_places(
    update: Update, context: BotContext, item: str, quantity: int, key: str
) -> None:
    """Ask where, for a chosen item and quantity (a tapped or a typed number)."""
    t = context.t
    services = context.services
    try:
        places = await services.distributions.places_for(context.user)
        # A shared location answers this question too, within the next minutes.
        await services.distributions.await_location(context.user, item, quantity, key)
    except DomainError as error:
        await refuse(update, context, error)
        return
    buttons = [
        Button(place_name(context, place_id), data=DistSave(item, quantity, place_id, key).pack())
        for place_id in places
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [Button(t.p_("button", "🚫 No place"), data=DistSave(item, quantity, 0, key).pack())]
    )
    what = quantity_text(context, item, quantity)
    text = t._("📍 {what}: where? Tap a place, or share your location.", what=what)
    await context.edit(update, text, rows)


async def _typed_quantity(update: Update, context: BotContext, text: str) -> int | None:
    """The whole number typed as a quantity; None, said to the person, when it is not one (the
    wait stays open: the next number typed is taken)."""
    quantity = parse_quantity(text)
    if quantity is None:
        answer = context.t._(
            "❌ Type a whole number from 1 to {max}, for example 35.", max=MAX_QUANTITY
        )
        await context.reply(update, answer)
    return quantity


async def number_typed(update: Update, context: BotContext) -> bool:
    """A number typed after "➕ Other number" is the quantity; False if none is awaited."""
    message = update.message
    if message is None or message.text is None:
        return False
    services = context.services
    item = await services.distributions.number_wait(context.user)
    if item is None:
        return False
    quantity = await _typed_quantity(update, context, message.text)
    if quantity is None:
        return True
    await services.distributions.forget_number_wait(context.user)
    await show_places(update, context, item, quantity, nonce())
    return True


async def save_pressed(update: Update, context: BotContext) -> None:
    """The place was tapped: save the guided log (once, whatever the taps)."""
    try:
        chosen = DistSave.unpack(update.callback_query.data if update.callback_query else None)
    except StaleButton as error:
        await refuse(update, context, error)
        return
    place = chosen.place or None
    await context.services.distributions.forget_location_wait(context.user)
    await _save(update, context, [(chosen.item, chosen.quantity)], place, chosen.nonce)


async def again_pressed(update: Update, context: BotContext) -> None:
    """Log again exactly what the caller logged last."""
    services = context.services
    try:
        chosen = DistAgain.unpack(update.callback_query.data if update.callback_query else None)
        rows = await services.distributions.batch_of(context.user, chosen.batch)
    except DomainError:
        await refuse(update, context, DomainError("stale_button"))
        return
    lines = [(row.item_code, row.quantity) for row in rows]
    await _save(update, context, lines, rows[0].place_id, chosen.nonce)


async def menu_pressed(update: Update, context: BotContext) -> None:
    """Back to the list of items."""
    await item_step(update, context)


async def page_pressed(update: Update, context: BotContext) -> None:
    """Show a further page of items."""
    try:
        chosen = DistPage.unpack(update.callback_query.data if update.callback_query else None)
    except StaleButton as error:
        await refuse(update, context, error)
        return
    await item_step(update, context, chosen.page)


async def location_shared(update: Update, context: BotContext) -> bool:
    """A location answers "where?" of a guided log; False if no log is waiting for one."""
    t = context.t
    message = update.message
    if message is None or message.location is None:
        return False
    services = context.services
    waiting = await services.distributions.location_wait(context.user)
    if waiting is None:
        return False
    item, quantity, key = waiting
    place_id = services.distributions.nearest_place(
        context.user, message.location.latitude, message.location.longitude
    )
    if place_id is None:
        await context.reply(
            update, t._("📍 No known place near this location. Please tap a place above.")
        )
        return True
    await services.distributions.forget_location_wait(context.user)
    await _save(update, context, [(item, quantity)], place_id, key)
    return True


# --- quick form -------------------------------------------------------------------------------


async def distrib(update: Update, context: BotContext) -> None:
    """Log from one line ("/distrib 40 blankets, 25 tea @ Marck"), or open the guided form."""
    if not context.args:
        await item_step(update, context)
        return
    t = context.t
    services = context.services
    user = context.user
    # A new log: a number typed from now on is not the answer to an older one's question.
    await services.distributions.forget_number_wait(user)
    if not user.has(Role.VOLUNTEER):
        await refuse(update, context, DomainError("not_allowed"))
        return
    text = " ".join(context.args)
    quick = services.distributions.parse_quick(text, services.distributions.antenna_of(user))
    if len(quick.places_typed) > 1:
        places = quoted(t, quick.places_typed)
        answer = t._(
            "❌ One place per log, and you wrote {places}. Send one /distrib for each place.",
            places=places,
        )
        await context.reply(update, answer + "\n" + t._("Nothing was saved."))
        return
    if not quick.lines:
        await context.reply(update, t._("Usage: /distrib 40 blankets, 25 tea @ Marck"))
        return
    if len(quick.lines) > MAX_LINES:
        answer = t._("❌ At most {max} items in one log. Send several logs.", max=MAX_LINES)
        await context.reply(update, answer + "\n" + t._("Nothing was saved."))
        return
    retired = retired_answer(context, quick)
    if retired is not None:
        await context.reply(update, retired)
        return
    if quick.complete:
        await _save_quick(update, context, quick, None)
        return
    draft_id, dropped = await services.distributions.save_draft(user, quick)
    notices = [
        t._(
            "ℹ️ At most {max} logs can wait for an answer: your oldest one, {what}, was "
            "dropped and nothing of it was saved.",
            max=MAX_OPEN_DRAFTS,
            what=quoted(t, [line.text for line in old.lines]),
        )
        for old in dropped
    ]
    await ask_next(update, context, draft_id, quick, notices=notices)


def cut(text: str, limit: int = ECHO_MAX) -> str:
    """What a person typed, cut with "…" when long (as refusals echo it); the Translator
    escapes and isolates it as a placeholder."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quoted(t: Translator, texts: list[str]) -> Markup:
    """ "“Marck”, “Coquelles”": typed texts, escaped and cut, in the locale's quotes."""
    return Markup(", ".join(t.p_("quote", "“{text}”", text=cut(text)) for text in texts))


async def _save_quick(
    update: Update, context: BotContext, quick: QuickLog, key: str | None
) -> None:
    """Save a quick log, one row per item ("40 tea, 10 tea" is 50 tea)."""
    services = context.services
    over = services.distributions.over_cap(quick)
    if over:
        code, total = over[0]
        name = services.distributions.catalogue.item_name(code, context.t.locale, total)
        error = DomainError("too_much", item=name, total=total, max=MAX_QUANTITY)
        await refuse(update, context, error)
        return
    await _save(update, context, quick.merged(), quick.place_id, key)


def _rows(buttons: list[Button], per_row: int = 2) -> Keyboard:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


async def _item_question(
    context: BotContext, draft_id: int, quick: QuickLog, question: QuickLine, page: int | None
) -> tuple[str, Keyboard]:
    """Which item: among the nearest names, or from the whole list (paged) when none is
    near, none was written ("/distrib 40"), or the person asked for another."""
    t = context.t
    services = context.services
    catalogue = services.distributions.catalogue
    # Items retired since the question was first asked are offered no more.
    suggestions = [code for code in question.suggestions if code in catalogue.items]

    def item_button(code: str) -> Button:
        label = escape(catalogue.item_name(code, t.locale))
        return Button(label, data=DistFix(draft_id, quick.step, "i", code).pack())

    if suggestions and page is None:
        text = t._("🤔 Which item is “{text}”?", text=cut(question.text))
        rows = _rows([item_button(code) for code in suggestions])
        another = DistFix(draft_id, quick.step, "m", "0").pack()
        rows.append([Button(t.p_("button", "📋 Another item"), data=another)])
        return text, rows
    page = page or 0
    if question.suggestions:
        text = t._("🤔 Which item is “{text}”?", text=cut(question.text))
    elif question.nameless:
        text = t._(
            "📦 The item is missing: {n} of what? Tap it.", n=t.fmt_number(question.quantity or 0)
        )
    else:
        text = t._("❌ I don't know “{text}”. Which item is it? Tap it.", text=cut(question.text))
    codes = await services.distributions.items_for(context.user)
    pages = max(1, -(-len(codes) // ITEMS_PER_PAGE))
    if not 0 <= page < pages:
        raise DomainError("stale_button")
    shown = codes[page * ITEMS_PER_PAGE : (page + 1) * ITEMS_PER_PAGE]
    rows = _rows([item_button(code) for code in shown])
    paging = []
    if page > 0:
        back = DistFix(draft_id, quick.step, "m", str(page - 1)).pack()
        paging.append(Button(t.p_("button", "⬅️ Back"), data=back))
    if page + 1 < pages:
        more = DistFix(draft_id, quick.step, "m", str(page + 1)).pack()
        paging.append(Button(t.p_("button", "➡️ More"), data=more))
    if paging:
        rows.append(paging)
    return text, rows


async def ask_next(
    update: Update,
    context: BotContext,
    draft_id: int,
    quick: QuickLog,
    page: int | None = None,
    *,
    notices: list[str] | None = None,
    more: bool = False,
) -> None:
    """Say what was understood, and ask about the first thing that was not (a quantity is
    tapped or typed: see `quick_number_typed`; `more` after "➕ Other number")."""
    t = context.t
    catalogue = context.services.distributions.catalogue
    lines: list[str] = list(notices or [])
    typing_line: int | None = None

    def fix(kind: str, value: str) -> str:
        return DistFix(draft_id, quick.step, kind, value).pack()

    if quick.understood:
        what = Markup(
            ", ".join(quantity_text(context, code, total) for code, total in quick.merged())
        )
        lines.append(t._("👍 Understood: {what}.", what=what))
    question = quick.next_question
    rows: Keyboard
    if question is None:
        lines.append(t._("📍 Which place is “{text}”?", text=cut(quick.place_text or "")))
        # Places retired since the question was first asked are offered no more.
        rows = _rows(
            [
                Button(place_name(context, place_id), data=fix("p", str(place_id)))
                for place_id in quick.place_suggestions
                if place_id in catalogue.places
            ]
        )
        rows.append([Button(t.p_("button", "🚫 No place"), data=fix("n", ""))])
    elif question.quantity is None:
        lines.append(
            t._(
                "❌ “{text}”: how many? A whole number from 1 to {max}: tap one below.",
                text=cut(question.text),
                max=MAX_QUANTITY,
            )
        )
        numbers = MORE_QUANTITIES if more else QUANTITIES
        rows = _rows([Button(str(n), data=fix("q", str(n))) for n in numbers], per_row=4)
        if more:
            typing_line = len(lines)
            lines.append(t._("Another number? Type it, for example: {example}", example="35"))
        else:
            rows.append([Button(t.p_("button", "➕ Other number"), data=fix("o", ""))])
    else:
        text, rows = await _item_question(context, draft_id, quick, question, page)
        lines.append(text)
    rest = [line for line in quick.lines if not line.understood and line is not question]
    if rest:
        others = quoted(t, [line.text for line in rest])
        lines.append(t._("Then: {others}.", others=others))
    if question is not None and quick.understood:
        label = t.p_("button", "💾 Save only what was understood")
        rows.append([Button(label, data=fix("s", ""))])
    rows.append([Button(t.p_("button", "❌ Cancel"), data=fix("x", ""))])
    if typing_line is not None and not typed_here(update):
        await ask_privately(update, context, "\n".join(lines), rows)
        lines[typing_line] = asked_privately(t)
    await context.edit(update, "\n".join(lines), rows)


async def fix_pressed(update: Update, context: BotContext) -> None:
    """An answer to a quick log's question: fill it in, and save when nothing is left."""
    t = context.t
    services = context.services
    try:
        chosen = DistFix.unpack(update.callback_query.data if update.callback_query else None)
    except StaleButton as error:
        await refuse(update, context, error)
        return
    try:
        if chosen.kind == "x":
            # Cancelling answers every question of the log: any of its messages may cancel.
            await services.distributions.drop_draft(context.user, chosen.draft)
            await context.edit(update, t._("Nothing was saved."))
            return
        if chosen.kind == "m":
            quick = await services.distributions.draft(context.user, chosen.draft)
            if chosen.question != quick.step:
                raise DomainError("already_answered")
            question = quick.next_question
            # Pages of items only while an item is asked (an identical edit is refused).
            asking = question is not None and question.item is None and question.quantity
            if not asking or not chosen.value.isdecimal():
                raise DomainError("stale_button")
            await ask_next(update, context, chosen.draft, quick, int(chosen.value))
            return
        if chosen.kind == "o":
            quick = await services.distributions.draft(context.user, chosen.draft)
            if chosen.question != quick.step:
                raise DomainError("already_answered")
            quick, shown = await services.distributions.other_number(context.user, chosen.draft)
            if shown:
                # A second tap: the numbers are already there.
                await context.answer(update)
                return
            await ask_next(update, context, chosen.draft, quick, more=True)
            return
        quick = await services.distributions.answer_draft(
            context.user, chosen.draft, chosen.question, chosen.kind, chosen.value
        )
    except DomainError as error:
        await _fix_refused(update, context, chosen.draft, error)
        return
    await _answered(update, context, chosen.draft, quick)


async def quick_number_typed(update: Update, context: BotContext) -> bool:
    """A number typed while a quick log asks "how many?" answers it; False if none asks."""
    message = update.message
    if message is None or message.text is None:
        return False
    services = context.services
    draft_id = await services.distributions.quick_quantity_wait(context.user)
    if draft_id is None:
        return False
    quantity = await _typed_quantity(update, context, message.text)
    if quantity is None:
        return True
    try:
        open_log = await services.distributions.draft(context.user, draft_id)
        quick = await services.distributions.answer_draft(
            context.user, draft_id, open_log.step, "q", str(quantity)
        )
    except DomainError as error:
        await _fix_refused(update, context, draft_id, error)
        return True
    await _answered(update, context, draft_id, quick)
    return True


async def _answered(update: Update, context: BotContext, draft_id: int, quick: QuickLog) -> None:
    """A quick log's question answered (tapped or typed): the next question, or the log saved."""
    services = context.services
    if not quick.complete:
        await ask_next(update, context, draft_id, quick)
        return
    if services.distributions.over_cap(quick):
        # Refused, the question still open: another answer or "❌ Cancel" still answers.
        await _save_quick(update, context, quick, None)
        return
    try:
        logged = await services.distributions.finish_draft(context.user, draft_id, quick)
    except DomainError as error:
        await refuse(update, context, error)
        return
    await _saved_quick(update, context, quick, logged)


async def _fix_refused(
    update: Update, context: BotContext, draft_id: int, error: DomainError
) -> None:
    """Refuse an answer; a place or item retired since it was offered is said, and the
    question asked again without it."""
    t = context.t
    services = context.services
    if error.code == "already_answered":
        # A second tap on a weak network: the message already shows what followed.
        await context.answer(update, error_text(t, error))
        return
    if error.code == "item_retired_meanwhile":
        name = services.distributions.catalogue.item_name(str(error.params["item"]), t.locale)
        error = DomainError("item_retired_meanwhile", name=name)
    await refuse(update, context, error)
    if error.code in ("place_retired_meanwhile", "item_retired_meanwhile"):
        quick = await services.distributions.draft(context.user, draft_id)
        await ask_next(update, context, draft_id, quick)


async def _saved_quick(
    update: Update, context: BotContext, quick: QuickLog, logged: Logged
) -> None:
    """Say what a completed quick log saved, and what "Save only what was understood" left
    out."""
    t = context.t
    notes = []
    if quick.left_out:
        notes.append(t._("Not saved: {parts}.", parts=quoted(t, quick.left_out)))
    if quick.place_left_out is not None:
        place = cut(quick.place_left_out)
        notes.append(t._("“{text}” is no place I know: saved without a place.", text=place))
    text = render_saved(context, logged.rows, duplicate=logged.duplicate, notes=notes)
    if logged.duplicate:
        # A second tap: the message already says "saved"; a toast is enough.
        await context.answer(update, text)
    else:
        await context.edit(update, text)


# --- /undo --------------------------------------------------------------------


async def undo(update: Update, context: BotContext) -> None:
    """Remove the caller's last log if it is less than 15 minutes old."""
    t = context.t
    try:
        rows = await context.services.distributions.undo(context.user)
    except DomainError as error:
        await refuse(update, context, error)
        return
    what = Markup(", ".join(quantity_text(context, row.item_code, row.quantity) for row in rows))
    await context.reply(update, t._("↩️ Removed: {what}.", what=what))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        CommandHandler("distrib", distrib),
        CommandHandler("undo", undo),
        CallbackQueryHandler(quantity_step, pattern=DistItem.pattern()),
        CallbackQueryHandler(place_step, pattern=DistQty.pattern()),
        CallbackQueryHandler(save_pressed, pattern=DistSave.pattern()),
        CallbackQueryHandler(again_pressed, pattern=DistAgain.pattern()),
        CallbackQueryHandler(fix_pressed, pattern=DistFix.pattern()),
        CallbackQueryHandler(menu_pressed, pattern=DistMenu.pattern()),
        CallbackQueryHandler(page_pressed, pattern=DistPage.pattern()),
    ]
