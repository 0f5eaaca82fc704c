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
from bot.context import BotContext
from bot.handlers.catalogue import retired_answer
from bot.handlers.common import refuse
from bot.i18n import Markup, escape, pN_
from bot.services.distributions import QuickLog
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
    t = context.t
    catalogue = context.services.distributions.catalogue
    name = catalogue.item_name(code, t.locale)
    item = catalogue.all_items.get(code)
    unit = item.unit if item else "piece"
    return t.fmt_quantity(quantity, unit, name)


def place_name(context: BotContext, place_id: int | None) -> Markup:
    place = context.services.distributions.catalogue.all_places.get(place_id or 0)
    return escape(place.name) if place else Markup("")


def render_saved(context: BotContext, rows: list[Distribution], *, duplicate: bool) -> str:
    t = context.t
    what = ", ".join(quantity_text(context, row.item_code, row.quantity) for row in rows)
    where = place_name(context, rows[0].place_id)
    slot = escape(t.marked(SLOT_NAMES[rows[0].slot]))
    # Every part is already HTML-safe: the sentence must not escape them again.
    details = Markup(f"{what} · {where} · {slot}" if where else f"{what} · {slot}")
    if duplicate:
        return t._("ℹ️ Already saved: {details}.", details=details)
    return (
        t._("✅ Saved: {details}.", details=details)
        + "\n"
        + t._("Made a mistake? Send /undo within 15 minutes.")
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
        # `name` is already escaped: the example must not be escaped a second time.
        example = Markup(f"/distrib 35 {name}")
        text += "\n" + t._("Another number? Type it, for example: {example}", example=example)
    await context.edit(update, text, rows)


async def place_step(update: Update, context: BotContext) -> None:
    """Step 3: where (recent places first), or share a location."""
    t = context.t
    services = context.services
    try:
        chosen = DistQty.unpack(update.callback_query.data if update.callback_query else None)
        places = await services.distributions.places_for(context.user)
        # A shared location answers this question too, within the next minutes.
        await services.distributions.await_location(
            context.user, chosen.item, chosen.quantity, chosen.nonce
        )
    except DomainError as error:
        await refuse(update, context, error)
        return
    buttons = [
        Button(
            place_name(context, place_id),
            data=DistSave(chosen.item, chosen.quantity, place_id, chosen.nonce).pack(),
        )
        for place_id in places
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [
            Button(
                t.p_("button", "🚫 No place"),
                data=DistSave(chosen.item, chosen.quantity, 0, chosen.nonce).pack(),
            )
        ]
    )
    what = quantity_text(context, chosen.item, chosen.quantity)
    text = t._("📍 {what}: where? Tap a place, or share your location.", what=what)
    await context.edit(update, text, rows)


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
    if not user.has(Role.VOLUNTEER):
        await refuse(update, context, DomainError("not_allowed"))
        return
    text = " ".join(context.args)
    quick = services.distributions.parse_quick(text, services.distributions.antenna_of(user))
    if not quick.lines:
        await context.reply(update, t._("Usage: /distrib 40 blankets, 25 tea @ Marck"))
        return
    if quick.bad_quantities:
        lines = [
            t._(
                "❌ {text}: write a whole number from 1 to 10000 next to the item.",
                text=line.text,
            )
            for line in quick.bad_quantities
        ]
        await context.reply(update, "\n".join([*lines, t._("Nothing was saved.")]))
        return
    retired = retired_answer(context, quick)
    if retired is not None:
        await context.reply(update, retired)
        return
    if quick.complete:
        lines_saved = [(line.item or "", line.quantity or 0) for line in quick.lines]
        await _save(update, context, lines_saved, quick.place_id, None)
        return
    draft_id = await services.distributions.save_draft(user, quick)
    await ask_next(update, context, draft_id, quick)


async def ask_next(update: Update, context: BotContext, draft_id: int, quick: QuickLog) -> None:
    """Ask about the first name that did not match exactly, with the nearest names."""
    t = context.t
    catalogue = context.services.distributions.catalogue
    cancel = Button(t.p_("button", "❌ Cancel"), data=DistFix(draft_id, "x", "").pack())
    question = quick.next_question
    if question is not None:
        buttons = [
            Button(
                escape(catalogue.item_name(code, t.locale)),
                data=DistFix(draft_id, "i", code).pack(),
            )
            for code in question.suggestions
        ]
        if not buttons:
            await context.services.distributions.drop_draft(context.user, draft_id)
            text = (
                t._(
                    "❌ I don't know “{text}”. Send /distrib alone to choose from the list.",
                    text=question.text,
                )
                + "\n"
                + t._("Nothing was saved.")
            )
            await context.edit(update, text, None)
            return
        text = t._("🤔 Which item is “{text}”?", text=question.text)
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)] + [[cancel]]
        await context.edit(update, text, rows)
        return
    buttons = [
        Button(place_name(context, place_id), data=DistFix(draft_id, "p", str(place_id)).pack())
        for place_id in quick.place_suggestions
    ]
    buttons.append(Button(t.p_("button", "🚫 No place"), data=DistFix(draft_id, "n", "").pack()))
    text = t._("📍 Which place is “{text}”?", text=quick.place_text or "")
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)] + [[cancel]]
    await context.edit(update, text, rows)


async def fix_pressed(update: Update, context: BotContext) -> None:
    """A suggestion was chosen: fill it in, and save when nothing is left to ask."""
    t = context.t
    services = context.services
    try:
        chosen = DistFix.unpack(update.callback_query.data if update.callback_query else None)
        if chosen.kind == "x":
            await services.distributions.drop_draft(context.user, chosen.draft)
            await context.edit(update, t._("Nothing was saved."))
            return
        draft_id, quick = await services.distributions.resolve_draft(
            context.user,
            chosen.draft,
            item=chosen.value if chosen.kind == "i" else None,
            place_id=int(chosen.value) if chosen.kind == "p" and chosen.value.isdigit() else None,
            no_place=chosen.kind == "n",
        )
    except DomainError as error:
        await refuse(
            update,
            context,
            error,
        )
        return
    if not quick.complete:
        await ask_next(update, context, draft_id, quick)
        return
    await services.distributions.drop_draft(context.user, draft_id)
    lines = [(line.item or "", line.quantity or 0) for line in quick.lines]
    await _save(update, context, lines, quick.place_id, f"draft{draft_id}")


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
