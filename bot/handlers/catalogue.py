"""/places and /items: volunteers list them; coordinators add, rename, retire and restore.

Every change works by command (`/places add NAME`, `/places rename OLD → NEW`,
`/places retire NAME`, `/places restore NAME`, `/places retired`; the same for /items) and by
buttons of the lists. A rename by button asks for the new name as typed text, waited for in
the database (it survives a restart) and cancelable. The rules (names, aliases, retired
entries, content/ against the database) are in `bot.services.catalogue_admin`.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import CatalogueCancel, CatalogueEdit, CatalogueList, StaleButton
from bot.context import BotContext
from bot.handlers.common import error_text, refuse
from bot.i18n import Translator, escape
from bot.services.catalogue_admin import MAX_NAME, Change, Entry, Kind
from bot.services.distributions import QuickLog
from bot.services.errors import DomainError
from bot.services.outbox import Button, Keyboard
from bot.storage.models import Role

# Entries with buttons per page: two buttons each, far below Telegram's 100 a keyboard.
PER_PAGE = 15
LETTERS: dict[str, Kind] = {"p": "place", "i": "item"}


def _letter(kind: Kind) -> str:
    return "p" if kind == "place" else "i"


# --- commands ---------------------------------------------------------------------------------


async def places(update: Update, context: BotContext) -> None:
    """List the antenna's places; coordinators add, rename, retire and restore them."""
    await _command(update, context, "place")


async def items(update: Update, context: BotContext) -> None:
    """List the items; coordinators add, rename, retire and restore them."""
    await _command(update, context, "item")


async def _command(update: Update, context: BotContext, kind: Kind) -> None:
    t = context.t
    admin = context.services.catalogue
    user = context.user
    args = context.args or []
    verb, rest = (args[0].lower(), " ".join(args[1:])) if args else ("", "")
    # A new /places or /items: a name asked by an earlier ✏️ is no longer awaited.
    await admin.forget_rename(user)
    try:
        match verb:
            case "":
                await show_list(update, context, kind, retired=False, page=0)
                return
            case "retired":
                await show_list(update, context, kind, retired=True, page=0)
                return
            case "add" if kind == "place":
                change = await admin.add_place(user, rest)
                text = t._("✅ Place added: {name}.", name=change.name)
            case "add":
                if len(args) < 3:
                    admin.require_coordinator(user)
                    await context.reply(
                        update, t._("Usage: /items add NAME piece|litre|portion|kg")
                    )
                    return
                unit = args[-1].lower()
                change = await admin.add_item(user, " ".join(args[1:-1]), unit, t.locale)
                text = t._("✅ Item added: {name}.", name=change.name)
            case "rename" | "retire" | "restore" if not rest:
                admin.require_coordinator(user)
                await context.reply(update, usage(t, kind))
                return
            case "rename":
                key, new_name = admin.split_rename(user, kind, rest)
                text = renamed_text(t, await admin.rename(user, kind, key, new_name, t.locale))
            case "retire":
                key = admin.find(user, kind, rest, retired=False)
                text = retired_text(t, await admin.retire(user, kind, key, t.locale))
            case "restore":
                key = admin.find(user, kind, rest, retired=True)
                text = restored_text(t, await admin.restore(user, kind, key, t.locale))
            case _ if not user.has(Role.COORDINATOR):
                # A volunteer's "/places marck": the list is all they can have.
                await show_list(update, context, kind, retired=False, page=0)
                return
            case _:
                await context.reply(update, usage(t, kind))
                return
    except DomainError as error:
        await refuse(update, context, error)
        return
    await context.reply(update, text)


def usage(t: Translator, kind: Kind) -> str:
    if kind == "place":
        return t._(
            "Usage: /places, /places add NAME, /places rename OLD → NEW, "
            "/places retire NAME, /places restore NAME, /places retired"
        )
    return t._(
        "Usage: /items, /items add NAME UNIT, /items rename OLD → NEW, "
        "/items retire NAME, /items restore NAME, /items retired"
    )


# --- confirmations: each says what changed ----------------------------------------------------


def renamed_text(t: Translator, change: Change) -> str:
    if not change.changed:
        return t._("ℹ️ Nothing to change: it is already called {name}.", name=change.name)
    if change.kind == "place":
        text = t._("✏️ Place renamed: {old} → {new}.", old=change.old, new=change.name)
    else:
        text = t._("✏️ Item renamed: {old} → {new}.", old=change.old, new=change.name)
    text += "\n" + t._("“{old}” is still understood when typed.", old=change.old)
    if change.other_languages:
        text += "\n" + t._("Other languages keep their own names.")
    return text


def retired_text(t: Translator, change: Change) -> str:
    if not change.changed:
        return t._("ℹ️ {name} was already retired.", name=change.name)
    if change.kind == "place":
        text = t._("🗑 Place retired: {name}. It is no longer offered.", name=change.name)
        again = t._(
            "Reports and exports keep it. To offer it again: /places restore {name}",
            name=change.name,
        )
    else:
        text = t._("🗑 Item retired: {name}. It is no longer offered.", name=change.name)
        again = t._(
            "Reports and exports keep it. To offer it again: /items restore {name}",
            name=change.name,
        )
    return text + "\n" + again


def restored_text(t: Translator, change: Change) -> str:
    if not change.changed:
        return t._("ℹ️ {name} is already offered.", name=change.name)
    if change.kind == "place":
        return t._("♻️ Place restored: {name}. It is offered again.", name=change.name)
    return t._("♻️ Item restored: {name}. It is offered again.", name=change.name)


# --- the lists and their buttons --------------------------------------------------------------


async def show_list(
    update: Update,
    context: BotContext,
    kind: Kind,
    *,
    retired: bool,
    page: int,
    notice: str = "",
) -> None:
    """The places or items (or the retired ones); coordinators get a button per entry."""
    t = context.t
    user = context.user
    entries = context.services.catalogue.entries(user, kind, t.locale, retired=retired)
    pages = max(1, -(-len(entries) // PER_PAGE))
    page = min(max(page, 0), pages - 1)
    lines = [notice] if notice else []
    lines.append(list_title(t, kind, retired=retired))
    lines += [f"• {escape(entry.name)}" for entry in entries]
    if retired and not entries:
        lines.append(t._("Nothing is retired."))
    if not user.has(Role.COORDINATOR):
        await context.edit(update, "\n".join(lines))
        return
    letter = _letter(kind)
    rows: Keyboard = [
        entry_row(t, entry, page) for entry in entries[page * PER_PAGE : (page + 1) * PER_PAGE]
    ]
    paging = []
    if page > 0:
        paging.append(
            Button(t.p_("button", "⬅️ Back"), data=CatalogueList(letter, retired, page - 1).pack())
        )
    if page + 1 < pages:
        paging.append(
            Button(t.p_("button", "➡️ More"), data=CatalogueList(letter, retired, page + 1).pack())
        )
    if paging:
        rows.append(paging)
    if retired:
        back = t.p_("button", "📋 Offered ones")
        rows.append([Button(back, data=CatalogueList(letter, False, 0).pack())])
    else:
        lines.append(t._("✏️ renames, 🗑 retires (reports keep what is retired)."))
        shelved = t.p_("button", "🗑 Retired ones")
        rows.append([Button(shelved, data=CatalogueList(letter, True, 0).pack())])
    await context.edit(update, "\n".join(lines), rows)


def list_title(t: Translator, kind: Kind, *, retired: bool) -> str:
    if kind == "place":
        return t._("🗑 Retired places:") if retired else t._("📍 Places:")
    return t._("🗑 Retired items:") if retired else t._("📦 Items:")


def entry_row(t: Translator, entry: Entry, page: int) -> list[Button]:
    letter = _letter(entry.kind)
    # Labels are escaped like messages: the outbox turns them back into plain text.
    name = escape(entry.name)
    if entry.retired:
        data = CatalogueEdit(letter, "u", entry.key, page).pack()
        return [Button(t.p_("button", "♻️ Restore {name}", name=name), data=data)]
    return [
        Button(
            t.p_("button", "✏️ {name}", name=name),
            data=CatalogueEdit(letter, "n", entry.key, page).pack(),
        ),
        Button(
            t.p_("button", "🗑 Retire"),
            data=CatalogueEdit(letter, "r", entry.key, page).pack(),
        ),
    ]


async def list_pressed(update: Update, context: BotContext) -> None:
    """Show a page of the list, or the retired ones."""
    try:
        chosen = CatalogueList.unpack(
            update.callback_query.data if update.callback_query else None
        )
        kind = LETTERS.get(chosen.kind)
        if kind is None:
            raise StaleButton(f"kind {chosen.kind!r}")
        await show_list(update, context, kind, retired=chosen.retired, page=chosen.page)
    except DomainError as error:
        await refuse(update, context, error)


async def edit_pressed(update: Update, context: BotContext) -> None:
    """Rename (ask for the name), retire or restore the entry; the caller's rights rechecked."""
    t = context.t
    admin = context.services.catalogue
    user = context.user
    try:
        chosen = CatalogueEdit.unpack(
            update.callback_query.data if update.callback_query else None
        )
        kind = LETTERS.get(chosen.kind)
        if kind is None or chosen.action not in ("n", "r", "u"):
            raise StaleButton(f"{chosen!r}")
        if chosen.action == "n":
            await admin.ask_rename(user, kind, chosen.key)
            name = escape(admin.name_of(kind, chosen.key, t.locale))
            text = t._(
                "✏️ Type the new name for {name} ({max} characters at most).",
                name=name,
                max=MAX_NAME,
            )
            chat = update.effective_chat
            if chat is not None and chat.type == ChatType.PRIVATE:
                await context.reply(update, text, cancel_keyboard(t))
                return
            # Typed text is read in private chats only: ask there, not in the team chat.
            await context.services.outbox.send_text(user.id, text, keyboard=cancel_keyboard(t))
            await context.answer(update, t._("✏️ I asked you privately for the new name."))
            return
        if chosen.action == "r":
            change = await admin.retire(user, kind, chosen.key, t.locale)
            notice = retired_text(t, change)
        else:
            change = await admin.restore(user, kind, chosen.key, t.locale)
            notice = restored_text(t, change)
    except DomainError as error:
        await refuse(update, context, error)
        return
    if not change.changed:
        # A second tap: the list already shows it; editing it again would change nothing.
        await context.answer(update, notice, alert=True)
        return
    retired = chosen.action == "u"
    await show_list(update, context, kind, retired=retired, page=chosen.page, notice=notice)


def cancel_keyboard(t: Translator) -> Keyboard:
    return [[Button(t.p_("button", "❌ Cancel"), data=CatalogueCancel().pack())]]


async def cancel_pressed(update: Update, context: BotContext) -> None:
    """Stop waiting for a typed name."""
    t = context.t
    try:
        CatalogueCancel.unpack(update.callback_query.data if update.callback_query else None)
    except StaleButton as error:
        await refuse(update, context, error)
        return
    if not await context.services.catalogue.forget_rename(context.user):
        await context.answer(update, t._("ℹ️ Nothing to cancel."), alert=True)
        return
    await context.edit(update, t._("Nothing was changed."))


async def rename_typed(update: Update, context: BotContext) -> bool:
    """The coordinator's text after "✏️": the new name; False if no rename was waiting."""
    message = update.message
    if message is None or message.text is None:
        return False
    t = context.t
    admin = context.services.catalogue
    waiting = await admin.rename_wait(context.user)
    if waiting is None:
        return False
    kind, key = waiting
    try:
        change = await admin.rename(context.user, kind, key, message.text, t.locale)
    except DomainError as error:
        if error.code in ("not_allowed", "stale_button", "entry_retired"):
            await admin.forget_rename(context.user)
            await refuse(update, context, error)
            return True
        # A name that cannot be used: say why, and keep waiting for a better one.
        text = error_text(t, error) + "\n" + t._("Type another name, or tap Cancel.")
        await context.reply(update, text, cancel_keyboard(t))
        return True
    await admin.forget_rename(context.user)
    await context.reply(update, renamed_text(t, change))
    return True


# --- /distrib: a retired name typed ------------------------------------------------------------


def retired_answer(context: BotContext, quick: QuickLog) -> str | None:
    """What /distrib answers when it names a retired item or place; None if it names none."""
    t = context.t
    catalogue = context.services.distributions.catalogue
    lines = [
        t._(
            "🗑 {name} was retired by a coordinator: it can no longer be logged.",
            name=catalogue.item_name(line.suggestions[0], t.locale),
        )
        for line in quick.retired_items
    ]
    if quick.retired_place is not None:
        place = catalogue.all_places.get(quick.retired_place)
        name = place.name if place else ""
        lines.append(t._("🗑 {name} is a retired place: choose another one.", name=name))
    if not lines:
        return None
    return "\n".join([*lines, t._("Nothing was saved.")])


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        CommandHandler("places", places),
        CommandHandler("items", items),
        CallbackQueryHandler(list_pressed, pattern=CatalogueList.pattern()),
        CallbackQueryHandler(edit_pressed, pattern=CatalogueEdit.pattern()),
        CallbackQueryHandler(cancel_pressed, pattern=CatalogueCancel.pattern()),
    ]
