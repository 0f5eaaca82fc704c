"""*Show this to staff* (SPEC §2 Public, issue 8 §4): a card to show a receptionist, nurse,
bus driver or police officer.

A card is one message: the sentence in the person's language first, then the same sentence in
French (bold: French is what staff read here), then in English, and the place's address when
the card is about one (the hospital). The three lines come from ONE msgid translated by the
person's, the French and the English catalogues, so translators write each sentence once. A
French or English reader gets no line twice.

Cards are sent as new messages and never edited away: a person may keep one to show later.
Only the cards that show an address need the person's town (asked once, `antenna_or_ask`).
"""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.callbacks import MenuTopic, StaffNeed, StaffPain, StaleButton
from bot.context import BotContext, Services
from bot.handlers.common import menu_button
from bot.handlers.public import antenna_or_ask, stale_button
from bot.i18n import FSI, LANGUAGES, LRM, N_, PDI, Translator, escape, pN_
from bot.services.content import pick
from bot.services.outbox import Button, Keyboard

# The menu topic of the list of needs; "staff.<need>[.<part>]" names one card while the
# person's town is asked (`AntennaChoice.then`).
TOPIC = "staff"
CARD_PREFIX = TOPIC + "."
STAFF_LOCALES = ("fr", "en")


@dataclass(frozen=True)
class Need:
    key: str
    icon: str
    button: tuple[str, str]
    # One msgid, shown in the person's language, in French and in English.
    sentence: str
    # The card shows the hospital's address (when the catalogue has it): the town is needed.
    addressed: bool = False


NEEDS: dict[str, Need] = {
    need.key: need
    for need in (
        Need(
            "doctor",
            "🩺",
            pN_("button", "🩺 See a doctor"),
            N_("I need to see a doctor."),
            addressed=True,
        ),
        Need(
            "pain",
            "🩹",
            pN_("button", "🩹 I am in pain"),
            N_("I am in pain here: {part}."),
            addressed=True,
        ),
        Need(
            "shelter",
            "🛏️",
            pN_("button", "🛏️ Shelter tonight"),
            N_("I need an emergency shelter for tonight."),
        ),
        Need(
            "minor",
            "🧒",
            pN_("button", "🧒 Under 18 and alone"),
            N_("I am under 18 and I am alone."),
        ),
        Need(
            "interpreter",
            "🗣️",
            pN_("button", "🗣️ An interpreter"),
            N_("I need an interpreter: {language}."),
        ),
        Need(
            "bus",
            "🚌",
            pN_("button", "🚌 Bus to the hospital"),
            N_("Which bus goes to the hospital?"),
            addressed=True,
        ),
        Need("lawyer", "⚖️", pN_("button", "⚖️ A lawyer"), N_("I need a lawyer.")),
        Need(
            "documents",
            "📄",
            pN_("button", "📄 Lost documents"),
            N_("I have lost my documents."),
        ),
    )
}

# Where it hurts: (icon, name). The name fills "{part}" in each language of the card.
BODY_PARTS: dict[str, tuple[str, tuple[str, str]]] = {
    "head": ("🤕", pN_("body part", "head")),
    "chest": ("🫁", pN_("body part", "chest")),
    "belly": ("🤢", pN_("body part", "belly")),
    "back": ("🧍", pN_("body part", "back")),
    "arm": ("💪", pN_("body part", "arm")),
    "leg": ("🦵", pN_("body part", "leg")),
    "foot": ("🦶", pN_("body part", "foot")),
    "tooth": ("🦷", pN_("body part", "tooth")),
    "eye": ("👁️", pN_("body part", "eye")),
    "ear": ("👂", pN_("body part", "ear")),
    "skin": ("✋", pN_("body part", "skin")),
    "throat": ("😷", pN_("body part", "throat")),
}


def card_address(services: Services, antenna: str, need: str) -> tuple[str, str] | None:
    """The place a card shows, as (name, address) in plain text, or None for no address.

    For the needs marked `addressed` ("doctor", "pain", "bus") it is the antenna's first health
    entry with an address in the information catalogue, checked ones first (content/<antenna>
    .toml: the hospital at Calais, the polyclinic's free-care service at Grande-Synthe), named
    in French, which is what staff here read. The card escapes both strings.
    """
    if not NEEDS[need].addressed:
        return None
    placed = [e for _, e in services.info.catalogue.for_topic(antenna, "health") if e.address]
    # A card carries no caveat line: a checked address first, one still to confirm only if
    # the antenna has nothing better (staff can still read the name of the place).
    placed.sort(key=lambda entry: entry.status != "verified")
    if not placed or placed[0].address is None:
        return None
    name, _ = pick(placed[0].title, "fr")
    return name, placed[0].address


def card_topic(need: str, part: str | None) -> str:
    """The topic that shows one card once the town is known, e.g. "staff.pain.belly"."""
    return CARD_PREFIX + need + (f".{part}" if part else "")


def parse_card_topic(topic: str) -> tuple[str, str | None] | None:
    """("pain", "belly") for "staff.pain.belly"; None for anything that is not a card."""
    if not topic.startswith(CARD_PREFIX):
        return None
    need, _, part = topic.removeprefix(CARD_PREFIX).partition(".")
    if need not in NEEDS:
        return None
    if need == "pain":
        return (need, part) if part in BODY_PARTS else None
    return None if part else (need, None)


def is_card_topic(topic: str) -> bool:
    return parse_card_topic(topic) is not None


def language_name(t: Translator, code: str) -> str:
    """A language as `t`'s readers name it, followed by its own name when that differs:
    "arabe (العربية)" for French staff, "العربية" for the person."""
    native = LANGUAGES[code].native_name
    if t.locale == code:
        return native
    local = Locale.parse(t.locale).languages.get(code) or native
    if local.casefold() == native.casefold():
        return local
    return f"{local} ({FSI}{native}{PDI})"


def sentence(t: Translator, need: Need, part: str | None, person: str) -> str:
    """The card's sentence in `t`'s language (`person`: the reader's locale, for an
    interpreter)."""
    params: dict[str, str] = {}
    if part is not None:
        params["part"] = t.marked(BODY_PARTS[part][1])
    if need.key == "interpreter":
        params["language"] = language_name(t, person)
    return t._(need.sentence, **params)


def render_card(
    services: Services,
    t: Translator,
    need: Need,
    part: str | None,
    place: tuple[str, str] | None,
) -> str:
    """The person's line, then French (bold) and English, then the address."""
    person = t.locale
    own = sentence(t, need, part, person)
    if person == "fr":
        own = f"<b>{own}</b>"  # French first: still bold, as staff read it
    # The person's line reads right to left from its first character in an RTL language; the
    # others left to right, whatever the message's direction.
    lines = [t.right_to_left(f"{need.icon} {own}"), ""]
    ltr = LRM if t.rtl else ""
    for code in STAFF_LOCALES:
        if code == person:
            continue
        text = sentence(services.translator(code), need, part, person)
        if code == "fr":
            lines.append(f"{ltr}🇫🇷 <b>{text}</b>")
        else:
            lines.append(f"{ltr}🇬🇧 {text}")
    if place is not None:
        name, address = place
        lines += ["", f"{ltr}📍 <b>{escape(name)}</b>", f"{ltr}{escape(address)}"]
    return "\n".join(lines)


def needs_keyboard(t: Translator) -> Keyboard:
    buttons = [
        Button(t.marked(need.button), data=StaffNeed(key).pack()) for key, need in NEEDS.items()
    ]
    rows: Keyboard = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]  # two per row
    return rows + menu_button(t)


def body_parts_keyboard(t: Translator) -> Keyboard:
    buttons = [
        Button(f"{icon} {t.marked(name)}", data=StaffPain(key).pack())
        for key, (icon, name) in BODY_PARTS.items()
    ]
    rows: Keyboard = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]  # short words
    back = Button(t.p_("button", "↩️ Back"), data=MenuTopic(TOPIC).pack())
    return [*rows, [back, *menu_button(t)[0]]]


async def show_needs(update: Update, context: BotContext) -> None:
    """The needs a card can say, as buttons."""
    t = context.t
    text = t._("🪪 Show this to staff. Tap what you want to say. I write it in French for them.")
    await context.reply(update, text, needs_keyboard(t))


async def show_body_parts(update: Update, context: BotContext) -> None:
    t = context.t
    text = t._("🩹 Where does it hurt? Tap the place.")
    await context.reply(update, text, body_parts_keyboard(t))


async def show_card(update: Update, context: BotContext, key: str, part: str | None) -> None:
    """Send the card (a new message, to keep); ask the town first if it shows an address."""
    need = NEEDS[key]
    place = None
    if need.addressed:
        antenna = await antenna_or_ask(update, context, card_topic(key, part))
        if antenna is None:
            return
        place = card_address(context.services, antenna, key)
    t = context.t
    back = StaffNeed("pain") if part is not None else MenuTopic(TOPIC)
    keyboard = [[Button(t.p_("button", "↩️ Back"), data=back.pack()), *menu_button(t)[0]]]
    await context.reply(update, render_card(context.services, t, need, part, place), keyboard)


async def answer_topic(update: Update, context: BotContext, topic: str) -> None:
    """The menu's "Show this to staff", or a card asked for before the town was known."""
    card = parse_card_topic(topic)
    if card is not None:
        await show_card(update, context, *card)
    else:
        await show_needs(update, context)


async def need_chosen(update: Update, context: BotContext) -> None:
    try:
        key = StaffNeed.unpack(update.callback_query.data if update.callback_query else "").need
    except StaleButton:
        key = ""
    if key not in NEEDS:
        await stale_button(update, context)
    elif key == "pain":
        await show_body_parts(update, context)
    else:
        await show_card(update, context, key, None)


async def part_chosen(update: Update, context: BotContext) -> None:
    try:
        part = StaffPain.unpack(update.callback_query.data if update.callback_query else "").part
    except StaleButton:
        part = ""
    if part not in BODY_PARTS:
        await stale_button(update, context)
        return
    await show_card(update, context, "pain", part)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        CallbackQueryHandler(need_chosen, pattern=StaffNeed.pattern()),
        CallbackQueryHandler(part_chosen, pattern=StaffPain.pattern()),
    ]
