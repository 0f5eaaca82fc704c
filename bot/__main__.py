"""The `maraude` command line (also `python -m bot`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import ConfigError, Settings, load_settings
from bot.logs import configure_logging
from bot.storage import Storage

if TYPE_CHECKING:
    from bot.services.incident_export import Fetch

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="maraude", description="Maraude field-team bot")
    verbs = parser.add_subparsers(dest="verb", required=True)
    verbs.add_parser("run", help="run the bot (polling, or webhook when WEBHOOK_URL is set)")
    sandbox = verbs.add_parser("sandbox", help="try the bot in a terminal, no token needed")
    sandbox.add_argument("--db", type=Path, help="database file to keep (default: throw-away)")
    db = verbs.add_parser("db", help="database maintenance")
    db_verbs = db.add_subparsers(dest="db_verb", required=True)
    db_verbs.add_parser("upgrade", help="apply pending migrations")
    backup = verbs.add_parser("backup", help="copy the live database (SQLite online backup)")
    backup.add_argument("path", type=Path)
    _i18n_parser(verbs)
    content = verbs.add_parser("content", help="the information catalogue (content/*.toml)")
    content_verbs = content.add_subparsers(dest="content_verb", required=True)
    check = content_verbs.add_parser("check", help="validate; list missing translations")
    check.add_argument("--dir", type=Path, help="the content directory (default: CONTENT_DIR)")
    export = verbs.add_parser("export", help="write a CSV file of a period")
    export.add_argument("what", choices=["distributions", "shifts"])
    export.add_argument("--from", dest="first", required=True, help="first day, YYYY-MM-DD")
    export.add_argument("--to", dest="last", required=True, help="last day, YYYY-MM-DD")
    export.add_argument("--antenna", help="one antenna (default: all)")
    export.add_argument("--out", type=Path, required=True, help="the CSV file to write")
    flyer = verbs.add_parser("flyer", help="a printable A4 page: one QR code per language")
    flyer.add_argument("--antenna", required=True, help="the antenna named on the page")
    flyer.add_argument("--out", type=Path, required=True, help="the PDF file to write")
    flyer.add_argument(
        "--bot",
        dest="bot_username",
        help="the bot's Telegram username (default: asked to Telegram with BOT_TOKEN)",
    )
    broadcast = verbs.add_parser(
        "broadcast",
        help="queue a message to an antenna's team chat or volunteers (the running bot sends it)",
    )
    broadcast.add_argument("text", help="the message as it will be read, or - for standard input")
    broadcast.add_argument("--antenna", help="the antenna's code (default: the default antenna)")
    broadcast.add_argument(
        "--to", dest="target", choices=["team", "volunteers"], default="team", help="default: team"
    )
    admin = verbs.add_parser("admin", help="administration without Telegram")
    admin_verbs = admin.add_subparsers(dest="admin_verb", required=True)
    admin_verbs.add_parser("antennas", help="list antennas and their team chats")
    team_chat = admin_verbs.add_parser("team-chat", help="set an antenna's team chat")
    team_chat.add_argument("antenna")
    team_chat.add_argument("chat_id", type=int)
    role = admin_verbs.add_parser("role", help="set a known user's role")
    role.add_argument("user_id", type=int)
    role.add_argument("role", choices=["public", "volunteer", "legal", "coordinator"])
    role.add_argument("--antenna")
    # Rights-violation reports (issue 11).
    incidents = verbs.add_parser("incidents", help="rights-violation reports (INCIDENT_KEY)")
    incident_verbs = incidents.add_subparsers(dest="incident_verb", required=True)
    incident_verbs.add_parser("new-key", help="print a fresh INCIDENT_KEY")
    rotate = incident_verbs.add_parser(
        "rotate-key", help="re-encrypt every report and draft with a new key, in one transaction"
    )
    rotate.add_argument(
        "--new-key", help="the new key (else INCIDENT_NEW_KEY from the environment)"
    )
    incident_export = incident_verbs.add_parser(
        "export", help="write the PDF of a period's reports for a legal referral"
    )
    incident_export.add_argument("--antenna", help="one antenna (default: all)")
    incident_export.add_argument(
        "--period", default="month", help="as /report reads it: month, 2026-11, D..D"
    )
    incident_export.add_argument("--out", type=Path, required=True, help="the PDF to write")
    return parser


def _i18n_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    i18n = verbs.add_parser("i18n", help="translations")
    i18n_verbs = i18n.add_subparsers(dest="i18n_verb", required=True)
    i18n_verbs.add_parser(
        "check", help="coverage and mistakes of every shipped locale; fails on a gap or a mistake"
    )
    review = i18n_verbs.add_parser(
        "review", help="a spreadsheet (CSV) of a locale's unreviewed entries, for a reviewer"
    )
    review.add_argument("locale")
    review.add_argument("--out", type=Path, required=True, help="the CSV file to write")
    review.add_argument("--all", action="store_true", help="every entry, reviewed ones too")
    review.add_argument(
        "--sep", default=",", choices=[",", ";"], help="separator (; for Excel in French)"
    )
    review.add_argument("--locales", type=Path, help="the locales directory (default: locales/)")
    merge = i18n_verbs.add_parser(
        "import", help="merge a reviewed spreadsheet back into its catalogue, then check"
    )
    merge.add_argument("file", type=Path, help="the reviewed file (CSV, or .xlsx with openpyxl)")
    merge.add_argument("--locale", help="the file's language (default: named in the file)")
    merge.add_argument(
        "--dry-run", action="store_true", help="say what it would do, change nothing"
    )
    merge.add_argument("--locales", type=Path, help="the locales directory (default: locales/)")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure_logging()
    try:
        if args.verb == "i18n" and args.i18n_verb == "review":
            return _i18n_review(args)
        if args.verb == "i18n" and args.i18n_verb == "import":
            return _i18n_import(args)
        if args.verb == "i18n":
            return _i18n_check()
        if args.verb == "content":
            return _content_check(args.dir)
        if args.verb == "sandbox":
            from bot.sandbox.terminal import run_sandbox

            return int(run_sandbox(args.db))
        if args.verb == "incidents" and args.incident_verb == "new-key":
            from bot.services.sealing import new_key

            print(new_key())
            return 0
        settings = load_settings()
        if args.verb == "incidents" and args.incident_verb == "export":
            return asyncio.run(_export_incidents(settings, args))
        if args.verb == "incidents":
            return asyncio.run(_rotate_key(settings, args.new_key))
        if args.verb == "run":
            return _run(settings)
        if args.verb == "flyer":
            return _flyer(settings, args)
        if args.verb == "broadcast":
            return asyncio.run(_broadcast(settings, args))
        return asyncio.run(_maintenance(settings, args))
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2


def _loop() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it exists (not on Windows): the loop's own bookkeeping was a
    tenth of the bot's time under load, and uvloop's is a fraction of it (issue 13)."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def _run(settings: Settings) -> int:
    if settings.bot_token is None:
        print(
            "BOT_TOKEN is not set. Put it in .env (see .env.example), "
            "or try the bot without one: maraude sandbox",
            file=sys.stderr,
        )
        return 2
    if settings.webhook_url and settings.webhook_secret is None:
        raise ConfigError("WEBHOOK_SECRET: required when WEBHOOK_URL is set")
    from bot.app import MaraudeBot

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await MaraudeBot(settings).run(stop)

    from telegram.error import InvalidToken

    from bot.services.content import ContentError

    try:
        with contextlib.suppress(KeyboardInterrupt), asyncio.Runner(loop_factory=_loop()) as run:
            run.run(serve())
    except ContentError as error:
        print("The information catalogue is invalid; the bot did not start:", file=sys.stderr)
        print(str(error), file=sys.stderr)
        return 2
    except InvalidToken:
        # Its message quotes the token: say what is wrong without it.
        print("Configuration error: BOT_TOKEN: rejected by Telegram", file=sys.stderr)
        return 2
    return 0


def _content_check(directory: Path | None) -> int:
    """Errors (with file and line) fail; missing translations are listed as warnings."""
    from bot.services.content import CONTENT_DIR, load_catalogue, missing_translations

    if directory is None:
        try:
            directory = load_settings().content_dir
        except ConfigError:
            directory = None
    # The antennas of a fresh database (migration 0001); a new one needs its file.
    catalogue, issues = load_catalogue(directory or CONTENT_DIR, {"calais", "grande-synthe"})
    errors = [issue for issue in issues if issue.error]
    for issue in errors:
        print(f"error: {issue}")
    missing = missing_translations(issues)
    for locale, count in missing.items():
        print(f"warning: {locale}: {count} entries without a translation")
    # Translation gaps are counted above; every other warning is shown in full.
    others = [i for i in issues if not i.error and "translation" not in i.message]
    for issue in others:
        print(f"warning: {issue}")
    if catalogue is None:
        print(f"{len(errors)} error(s): the bot would refuse to start.")
        return 1
    total = sum(len(entries) for entries in catalogue.entries.values())
    print(f"ok: {total} entries in {len(catalogue.entries)} files.")
    return 0


def _flyer(settings: Settings, args: argparse.Namespace) -> int:
    """`maraude flyer --antenna A --out FILE [--bot USERNAME]`: the QR codes for the vans."""
    import html

    try:
        from bot.flyer import HINT, TITLE, FlyerError, build_flyer

        # fpdf2 imports its shaping engine only when shaping starts: check it here, too.
        importlib.import_module("uharfbuzz")
    except ModuleNotFoundError as error:
        print(f"flyer: {error.name} is missing: pip install -e '.[flyer]'", file=sys.stderr)
        return 2
    from bot.i18n import Catalogs

    antenna_name = asyncio.run(_antenna_name(settings, args.antenna))
    if antenna_name is None:
        print(f"unknown antenna {args.antenna}", file=sys.stderr)
        return 1
    username = args.bot_username or asyncio.run(_bot_username(settings))
    if not username:
        return 2
    catalogs = Catalogs()
    staff = [catalogs.translator(code, settings.tz) for code in ("fr", "en")]
    french, english = (html.unescape(t._(TITLE)) for t in staff)
    hint_fr, hint_en = (html.unescape(t._(HINT)) for t in staff)

    def warn(message: str) -> None:
        print(message, file=sys.stderr)

    try:
        # A CLI: the page is drawn synchronously, with no event loop running.
        build_flyer(
            args.out,
            antenna_name=antenna_name,
            bot_username=username,
            titles=(french, english),
            hints=(hint_fr, hint_en),
            warn=warn,
        )
    except FlyerError as error:
        print(f"flyer: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"flyer: cannot write {args.out}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}")
    return 0


async def _antenna_name(settings: Settings, code: str) -> str | None:
    storage = Storage(settings.database_path)
    await storage.open()
    try:
        antenna = await storage.antennas.get(code)
    finally:
        await storage.close()
    return antenna.name if antenna is not None else None


async def _bot_username(settings: Settings) -> str | None:
    """The bot's username from Telegram's getMe; None (and why, on stderr) if unknown."""
    if settings.bot_token is None:
        print(
            "flyer: give the bot's username with --bot USERNAME, or set BOT_TOKEN", file=sys.stderr
        )
        return None
    from telegram import Bot
    from telegram.error import InvalidToken, TelegramError

    bot = Bot(settings.bot_token.get_secret_value(), base_url=settings.bot_api_base_url)
    try:
        async with bot:
            return bot.username
    except InvalidToken:
        print("Configuration error: BOT_TOKEN: rejected by Telegram", file=sys.stderr)
    except TelegramError as error:
        print(f"flyer: Telegram did not answer ({error}): give --bot USERNAME", file=sys.stderr)
    return None


def _i18n_check(locales_dir: Path | None = None) -> int:
    from bot.i18n import LOCALES_DIR
    from bot.i18n.check import check_all, render

    reports, problems = check_all(locales_dir or LOCALES_DIR)
    print(render(reports, problems))
    return 0 if all(r.ok for r in reports) and not problems else 1


def _i18n_review(args: argparse.Namespace) -> int:
    """`maraude i18n review LOCALE --out FILE`: the file a volunteer reviews in a spreadsheet."""
    from bot.config import SHIPPED_LOCALES
    from bot.i18n import LOCALES_DIR
    from bot.i18n.review import write_review

    if args.locale not in SHIPPED_LOCALES:
        print(f"{args.locale} is not one of {', '.join(SHIPPED_LOCALES)}", file=sys.stderr)
        return 2
    rows = write_review(
        args.locale,
        args.out,
        locales_dir=args.locales or LOCALES_DIR,
        everything=args.all,
        separator=args.sep,
    )
    what = "entries" if args.all else "unreviewed entries"
    print(f"wrote {args.out}: {rows} rows ({what} of {args.locale}, one row per plural form)")
    return 0


def _i18n_import(args: argparse.Namespace) -> int:
    """`maraude i18n import FILE`: the reviewer's work merged back, then `i18n check`; a dry run
    imports into a throw-away copy of the locales, so the check still says what would happen."""
    import shutil
    import tempfile

    from bot.i18n import LOCALES_DIR
    from bot.i18n.review import ReviewFileError, import_review

    locales_dir = args.locales or LOCALES_DIR
    with tempfile.TemporaryDirectory(prefix="maraude-import-") as scratch:
        if args.dry_run:
            locales_dir = shutil.copytree(locales_dir, Path(scratch) / "locales")
        try:
            result = import_review(args.file, args.locale, locales_dir=locales_dir)
        except ReviewFileError as error:
            print(f"{args.file}: {error}", file=sys.stderr)
            return 2
        except OSError as error:
            print(f"{args.file}: {error.strerror or error}", file=sys.stderr)
            return 2
        print(result.summary())
        checked = _i18n_check(locales_dir)
    if args.dry_run:
        print("dry run: nothing was changed")
    return 1 if result.refused or checked else 0


async def _maintenance(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import DEFAULT_ANTENNA
    from bot.storage.models import Role

    storage = Storage(settings.database_path)
    applied = await storage.open()
    try:
        if args.verb == "db":
            print("applied: " + (", ".join(applied) if applied else "nothing, already current"))
        elif args.verb == "export":
            return await _export(settings, storage, args)
        elif args.verb == "backup":
            await storage.db.backup(args.path)
            print(f"backed up to {args.path}")
        elif args.admin_verb == "antennas":
            for antenna in await storage.antennas.all():
                print(f"{antenna.code}\t{antenna.name}\tteam chat: {antenna.team_chat_id}")
        elif args.admin_verb == "team-chat":
            if await storage.antennas.get(args.antenna) is None:
                print(f"unknown antenna {args.antenna}", file=sys.stderr)
                return 1
            async with storage.transaction():
                await storage.antennas.set_team_chat(args.antenna, args.chat_id)
            print(f"team chat of {args.antenna} is now {args.chat_id}")
        elif args.admin_verb == "role":
            if await storage.users.get(args.user_id) is None:
                print("unknown user: they must write to the bot first", file=sys.stderr)
                return 1
            code = str(args.antenna or DEFAULT_ANTENNA)
            if await storage.antennas.get(code) is None:
                print(f"unknown antenna {code}", file=sys.stderr)
                return 1
            async with storage.transaction():
                await storage.users.set_role(args.user_id, Role(args.role), antenna=code)
                if args.role == "public":
                    await storage.users.clear_profile(args.user_id)
            print(f"user {args.user_id} is now {args.role} of {code}")
    finally:
        await storage.close()
    return 0


async def _rotate_key(settings: Settings, new_key: str | None) -> int:
    """Re-seal every report, draft and the key canary with a new key (the bot stopped)."""
    import os

    from bot.app import DEFAULT_ANTENNA
    from bot.clock import SystemClock
    from bot.services.errors import DomainError
    from bot.services.incidents import READY, IncidentService
    from bot.services.sealing import KeyFormatError, parse_key

    new_key = new_key or os.environ.get("INCIDENT_NEW_KEY")
    if not new_key:
        print("give the new key with --new-key or INCIDENT_NEW_KEY", file=sys.stderr)
        return 2
    try:
        parse_key(new_key)
    except KeyFormatError as error:
        print(f"the new key is refused: {error}", file=sys.stderr)
        return 2
    old_key = settings.incident_key.get_secret_value() if settings.incident_key else None
    storage = Storage(settings.database_path)
    await storage.open()
    try:
        service = IncidentService(storage, SystemClock(), settings.tz, old_key, DEFAULT_ANTENNA)
        status = await service.check_key()
        if status != READY:
            print(
                f"INCIDENT_KEY is {status}: the current key is needed to re-encrypt",
                file=sys.stderr,
            )
            return 1
        try:
            reports, drafts = await service.rotate(new_key)
        except DomainError:
            print("a stored report does not open: nothing was changed", file=sys.stderr)
            return 1
    finally:
        await storage.close()
    print(
        f"re-encrypted {reports} reports and {drafts} drafts: "
        "set INCIDENT_KEY to the new key before starting the bot"
    )
    return 0


def _file_fetcher(settings: Settings) -> Fetch | None:
    """Files sent to the bot, fetched with its token (getFile); None without a token."""
    if settings.bot_token is None:
        return None
    from telegram import Bot

    bot = Bot(
        settings.bot_token.get_secret_value(),
        base_url=settings.bot_api_base_url,
        base_file_url=settings.file_base_url,
    )

    async def fetch_file(file_id: str) -> bytes:
        async with bot:
            return bytes(await (await bot.get_file(file_id)).download_as_bytearray())

    return fetch_file


async def _export_incidents(settings: Settings, args: argparse.Namespace) -> int:
    """`maraude incidents export --period P --out FILE.pdf`: what /incidents export sends,
    photos fetched with BOT_TOKEN when it is set (else listed as missing); each report audited."""
    from bot.app import DEFAULT_ANTENNA
    from bot.clock import SystemClock
    from bot.i18n import Catalogs
    from bot.services.distributions import DistributionService
    from bot.services.errors import DomainError
    from bot.services.incident_export import IncidentExporter, cli_reader
    from bot.services.incidents import READY, IncidentService
    from bot.services.reports import parse_period

    clock = SystemClock()
    storage = Storage(settings.database_path)
    await storage.open()
    try:
        key = settings.incident_key.get_secret_value() if settings.incident_key else None
        incidents = IncidentService(storage, clock, settings.tz, key, DEFAULT_ANTENNA)
        status = await incidents.check_key()
        if status != READY:
            print(f"INCIDENT_KEY is {status}: the reports cannot be opened", file=sys.stderr)
            return 1
        if args.antenna and await storage.antennas.get(args.antenna) is None:
            print(f"no antenna {args.antenna!r}", file=sys.stderr)
            return 1
        distributions = DistributionService(
            storage, clock, settings.tz, settings.slot_starts, DEFAULT_ANTENNA
        )
        async with storage.transaction():
            await distributions.load()
        try:
            period = parse_period(args.period, clock.now(), settings.tz)
        except DomainError:
            print(f"not a period: {args.period!r}", file=sys.stderr)
            return 1
        t = Catalogs().translator(settings.default_locale, settings.tz)
        exporter = IncidentExporter(
            incidents,
            storage,
            lambda: distributions.catalogue,
            clock,
            settings.tz,
            args.out.parent,
        )
        fetch = _file_fetcher(settings)
        reader = cli_reader(args.antenna)
        label = f"{period.first_day.isoformat()} – {period.last_day.isoformat()}"
        try:
            document = await exporter.build(
                reader, period, t=t, period_label=label, fetch=fetch, antenna=args.antenna
            )
        except DomainError as error:
            print(f"not written: {error.code}", file=sys.stderr)
            return 1
        if document is None:
            print(f"no incident reported from {label}: nothing written")
            return 0
        async with storage.transaction():
            await incidents.audit_exported(reader, document.incidents)
        document.path.replace(args.out)
    finally:
        await storage.close()
    missing = f", {document.missing_photos} photo(s) missing" if document.missing_photos else ""
    print(f"wrote {args.out}: {len(document.incidents)} report(s){missing}")
    return 0


async def _broadcast(settings: Settings, args: argparse.Namespace) -> int:
    """`maraude broadcast --antenna calais --to volunteers TEXT`: what /broadcast sends once
    confirmed, queued in the database; the running bot's sender finds it on its next look at
    the outbox (`bot.delivery.IDLE_WAKE`). No summary in Telegram: the id and count are here."""
    from bot.app import DEFAULT_ANTENNA
    from bot.clock import SystemClock
    from bot.delivery import IDLE_WAKE
    from bot.handlers.broadcast import render_header
    from bot.handlers.common import error_text
    from bot.i18n import Catalogs, negotiate
    from bot.services.broadcasts import TEAM, BroadcastService
    from bot.services.errors import DomainError
    from bot.services.outbox import Outbox
    from bot.storage.models import Antenna, User

    text = sys.stdin.read() if args.text == "-" else args.text
    storage = Storage(settings.database_path)
    await storage.open()
    clock = SystemClock()
    # No sender runs in this process: the bot's own looks at the outbox instead.
    outbox = Outbox(storage, clock, lambda: None)
    service = BroadcastService(storage, clock, outbox, DEFAULT_ANTENNA)
    code = str(args.antenna or DEFAULT_ANTENNA)
    catalogs = Catalogs()

    def header(antenna: Antenna, reader: User | None) -> str:
        # From the coordination, in each reader's language (as `Services.translator_for`).
        locale = settings.default_locale
        if reader is not None:
            locale = negotiate(reader.locale, reader.telegram_language, locale)
        return render_header(catalogs.translator(locale, settings.tz), antenna, None)

    try:
        async with storage.transaction():
            sent = await service.from_command_line(code, args.target, text, header)
    except DomainError as error:
        print(error_text(catalogs.translator("en", settings.tz), error), file=sys.stderr)
        return 1
    finally:
        await storage.close()
    where = (
        f"the team chat of {code}"
        if args.target == TEAM
        else f"{sent.recipients} volunteer(s) of {code}"
    )
    print(
        f"broadcast #{sent.id} queued for {where}: the running bot sends it "
        f"within {IDLE_WAKE:.0f} s"
    )
    return 0


async def _export(settings: Settings, storage: Storage, args: argparse.Namespace) -> int:
    """`maraude export distributions --from D --to D --out FILE`: what /export sends."""
    from bot.app import DEFAULT_ANTENNA
    from bot.clock import SystemClock
    from bot.services.distributions import DistributionService
    from bot.services.errors import DomainError
    from bot.services.exports import ExportService
    from bot.services.reports import ReportService, parse_period
    from bot.storage.exports import ExportReader

    clock = SystemClock()
    distributions = DistributionService(
        storage, clock, settings.tz, settings.slot_starts, DEFAULT_ANTENNA
    )
    async with storage.transaction():
        await distributions.load()
    exports = ExportService(
        ReportService(storage, clock, settings.tz, DEFAULT_ANTENNA),
        lambda: ExportReader(settings.database_path),
        clock,
        settings.tz,
        settings.outgoing_path,
    )
    try:
        period = parse_period(f"{args.first}..{args.last}", clock.now(), settings.tz)
    except DomainError:
        print(
            f"not a period: {args.first} to {args.last} (YYYY-MM-DD, at most a year)",
            file=sys.stderr,
        )
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    await exports.write_one(
        args.what, args.antenna, period, distributions.catalogue, settings.default_locale, args.out
    )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
