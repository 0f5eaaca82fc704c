"""Rebuild the flyer's fonts in bot/flyer/fonts/ from the Noto fonts published on PyPI.

The flyer prints each language's name in its own script (Latin with Vietnamese marks, Arabic
script for Arabic, Pashto, Dari/Farsi and Sorani, Ethiopic for Tigrinya and Amharic), on any
machine, without system fonts: the fonts live in the repository (SIL Open Font License 1.1,
no reserved font name, see bot/flyer/fonts/OFL.txt). They are static instances of the
variable Noto fonts, cut down to the scripts the flyer prints (about 670 KB for all four).

Run by hand, never by the build:

    d=$(mktemp -d)
    pip download --no-deps -d "$d" fontpkg-noto-sans==2.15 \
        fontpkg-noto-sans-arabic==2.12 justmytype-intl-africa==0.1.0
    .venv/bin/python tools/flyer_fonts.py "$d"
"""

from __future__ import annotations

import sys
import zipfile
from io import BytesIO
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib.instancer import instantiateVariableFont

OUT = Path(__file__).resolve().parent.parent / "bot" / "flyer" / "fonts"
BASIC = "U+0020-007E,U+00A0,U+200B-200F,U+2066-2069"
# (output name, wheel name prefix, file inside the wheel, weight, Unicode ranges kept)
FONTS = [
    (
        "NotoSans-Regular",
        "fontpkg_noto_sans-",
        "NotoSans[wdth,wght].ttf",
        400,
        f"{BASIC},U+00A1-024F,U+0300-036F,U+1E00-1EFF,U+2010-205E,U+20AC",
    ),
    (
        "NotoSans-Bold",
        "fontpkg_noto_sans-",
        "NotoSans[wdth,wght].ttf",
        700,
        f"{BASIC},U+00A1-024F,U+0300-036F,U+1E00-1EFF,U+2010-205E,U+20AC",
    ),
    (
        "NotoSansArabic-Bold",
        "fontpkg_noto_sans_arabic-",
        "NotoSansArabic[wdth,wght].ttf",
        700,
        f"{BASIC},U+0600-06FF,U+0750-077F,U+08A0-08FF,U+FB50-FDFF,U+FE70-FEFF",
    ),
    (
        "NotoSansEthiopic-Bold",
        "justmytype_intl_africa-",
        "NotoSansEthiopic[wdth,wght].ttf",
        700,
        f"{BASIC},U+1200-139F,U+2D80-2DDF,U+AB00-AB2F",
    ),
]


def _font_from(wheels: Path, prefix: str, filename: str) -> tuple[bytes, bytes]:
    """The variable font and its licence, read from the downloaded wheel."""
    wheel = next(wheels.glob(f"{prefix}*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        font = next(name for name in names if name.endswith("/" + filename))
        licences = [n for n in names if n.endswith(("/OFL.txt", "/LICENSE")) and "dist" not in n]
        licence = licences[0]
        return archive.read(font), archive.read(licence)


def main(wheels: Path) -> None:
    licences: list[bytes] = []
    for name, prefix, filename, weight, ranges in FONTS:
        data, licence = _font_from(wheels, prefix, filename)
        if licence not in licences:
            licences.append(licence)
        font = instantiateVariableFont(
            TTFont(BytesIO(data)), {"wght": weight, "wdth": 100}, updateFontNames=True
        )
        options = subset.Options()
        options.layout_features = ["*"]  # Arabic joining and marks need every shaping feature
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=subset.parse_unicodes(ranges))
        subsetter.subset(font)
        font.save(OUT / f"{name}.ttf")
    (OUT / "OFL.txt").write_bytes(b"\n\n".join(licences))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
