"""The incident export for a legal referral (issue 11): 200 incidents in one PDF.

Run by hand: `.venv/bin/python -m bench.bench_incident_pdf [--incidents 200] [--photos 1]`.
A third of the descriptions in Arabic, a sixth in Tigrinya, the rest in French, about 700
letters each; every incident with `--photos` distinct phone-sized JPEG photos (1280 × 960).
The document is rendered in a worker thread, as the bot does, while the event loop's longest
stall is measured. Targets: a few seconds for 200 incidents; the loop never stalls for long.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import UTC, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

from PIL import Image

from bot.i18n import Catalogs
from bot.services.incident_pdf import INCIDENT_KINDS, IncidentRecord, render_incidents_pdf

PARIS = ZoneInfo("Europe/Paris")
FRENCH = (
    "Vers 6 h, une vingtaine d'agents sont arrivés au campement près du canal, ont lacéré "
    "les tentes au couteau et emporté les sacs de couchage, les téléphones et les papiers "
    "de plusieurs personnes. "
)
ARABIC = (
    "في حوالي الساعة السادسة صباحا وصل عشرون شرطيا إلى المخيم قرب القناة ومزقوا الخيام "
    "وأخذوا الأغطية والهواتف وأوراق عدة أشخاص. "
)
TIGRINYA = "ኣብ ሰዓት ሽዱሽተ ናይ ንግሆ ፖሊስ ናብቲ መዓስከር መጺኦም ድንኳናት ቀደዱ። "


def photo(seed: int) -> bytes:
    """A phone-sized JPEG that compresses like a photograph (noise over a gradient)."""
    size = (1280, 960)
    random.seed(seed)
    channels = [
        Image.effect_noise(size, random.uniform(20, 40)),
        Image.linear_gradient("L").resize(size),
        Image.effect_noise(size, random.uniform(5, 15)),
    ]
    out = BytesIO()
    Image.merge("RGB", channels).save(out, "JPEG", quality=80)
    return out.getvalue()


def incidents(count: int, photos: int) -> list[IncidentRecord]:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    kinds = list(INCIDENT_KINDS)
    records = []
    for number in range(count):
        text = ARABIC if number % 3 == 0 else TIGRINYA if number % 6 == 1 else FRENCH
        records.append(
            IncidentRecord(
                reference=f"INC-2026-{number + 1:04d}",
                kind=kinds[number % len(kinds)],
                occurred_at=start + timedelta(hours=3 * number),
                antenna_name="Calais",
                place=f"Canal, entrée {number % 7}",
                latitude=50.95,
                longitude=1.85,
                people=number % 25,
                minors=number % 2 == 0,
                injuries=number % 3 == 0,
                description=(text * 8).strip(),
                reporter_name="Camille" if number % 4 == 0 else None,
                photos=tuple(photo(number * 10 + index) for index in range(photos)),
                other_media=number % 2,
                reported_at=start + timedelta(hours=3 * number + 1),
            )
        )
    return records


async def longest_stall(work: asyncio.Future[bytes], tick: float = 0.001) -> float:
    """The longest the event loop went without running a coroutine while `work` ran."""
    longest = 0.0
    while not work.done():
        before = time.perf_counter()
        await asyncio.sleep(tick)
        longest = max(longest, time.perf_counter() - before - tick)
    return longest


async def measure(count: int, photos: int) -> None:
    records = incidents(count, photos)
    t = Catalogs().translator("fr", PARIS)
    generated = datetime(2026, 12, 4, 17, tzinfo=UTC)
    started = time.perf_counter()
    work = asyncio.ensure_future(
        asyncio.to_thread(
            render_incidents_pdf,
            records,
            t=t,
            tz=PARIS,
            period_label="novembre 2026",
            generated_at=generated,
        )
    )
    stall = await longest_stall(work)
    data = await work
    elapsed = time.perf_counter() - started
    import pypdfium2 as pdfium

    pages = len(pdfium.PdfDocument(data))
    print(
        f"{count} incidents, {photos} photo(s) each: {elapsed:.2f} s, {pages} pages, "
        f"{len(data) / 1e6:.1f} MB; event loop's longest stall {stall * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--photos", type=int, default=1)
    arguments = parser.parse_args()
    asyncio.run(measure(arguments.incidents, arguments.photos))


if __name__ == "__main__":
    main()
