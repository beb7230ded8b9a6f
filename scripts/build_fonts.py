#!/usr/bin/env python3
"""Rebuild the invoice fonts in src/waffo_portal/invoices/fonts/ from source.

Sources (pinned; the script refuses other versions so output is reproducible):
  * PyPI  fontpkg-noto-sans, fontpkg-noto-sans-thai, fontpkg-noto-sans-arabic
    (variable TrueType; must be installed in the running interpreter)
  * Debian fonts-noto-cjk (CFF-flavoured OpenType collection), fetched with
    ``apt-get download`` unless --cjk-deb points at the .deb already.

Every output is a static TrueType (glyf) font: ReportLab cannot embed CFF
outlines nor pick an instance of a variable font. Build-time tools: fontTools
and uharfbuzz (both in the dev environment, neither needed at run time).

    python scripts/build_fonts.py [--cjk-deb PATH] [--only FAMILY ...]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

import uharfbuzz as hb
from fontTools.merge import Merger
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTFont, newTable
from fontTools.ttLib.tables._g_l_y_f import Glyph, GlyphComponent
from fontTools.varLib import instancer
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
from waffo_portal.invoices.shaping import PUA_START, THAI_FORMS  # noqa: E402

OUT = ROOT / "src" / "waffo_portal" / "invoices" / "fonts"

PYPI_PINS = {
    "fontpkg-noto-sans": "2.15",
    "fontpkg-noto-sans-thai": "2.2",
    "fontpkg-noto-sans-arabic": "2.12",
}
CJK_DEB_VERSION = "1:20220127+repack1-1"
CJK_DEB_SHA256 = "4a2515eb6db3978b897fef9709ed0d2b1f4c6c4df4d83d6c4ef65f71f1b1f502"
CJK_DIR = "usr/share/fonts/opentype/noto"
#: Face index of each region inside NotoSansCJK-*.ttc.
CJK_FACES = {"JP": 0, "KR": 1, "SC": 2, "TC": 3}
WEIGHTS = {"Regular": 400, "Bold": 700}
#: cu2qu tolerance in font units (1/1000 em): invisible at print sizes.
MAX_ERR = 1.0
#: Fixed head.created/modified (2024-01-01), so rebuilding gives identical bytes.
EPOCH_SECONDS_SINCE_1904 = 3786825600


def span(first: int, last: int) -> set[int]:
    return set(range(first, last + 1))


#: What every family must draw whatever its script: Latin for names and
#: addresses, punctuation, and every currency sign an invoice may show.
COMMON = (
    span(0x20, 0x7E)
    | span(0xA0, 0x17F)
    | {0x1A0, 0x1A1, 0x1AF, 0x1B0}
    | span(0x218, 0x21B)
    | span(0x1EA0, 0x1EF9)
    | span(0x2010, 0x2027)
    | span(0x2030, 0x203A)
    | {0x2044, 0x2116, 0x2122, 0x2212}
    | span(0x20A0, 0x20C0)
    | {0x0E3F, 0xFDFC}
)
LATIN = (
    COMMON
    | span(0x180, 0x24F)
    | span(0x250, 0x2FF)
    | span(0x300, 0x36F)
    | span(0x370, 0x3FF)
    | span(0x400, 0x52F)
    | span(0x1E00, 0x1EFF)
    | span(0x2000, 0x206F)
    | span(0x2100, 0x215F)
    | span(0x2190, 0x2199)
    | span(0x2200, 0x22FF)
    | span(0xFB00, 0xFB06)
)
THAI = COMMON | span(0x0E01, 0x0E5B) | {0x200B, 0x200C, 0x200D, 0x25CC}
ARABIC = (
    COMMON
    | span(0x0600, 0x06FF)
    | span(0x0750, 0x077F)
    | span(0xFB50, 0xFDFF)
    | span(0xFE70, 0xFEFF)
    | span(0x200C, 0x200F)
    | {0x25CC}
)
#: Shared by the four CJK fonts: CJK punctuation, kana-free symbols, fullwidth.
CJK_COMMON = COMMON | span(0x3000, 0x303F) | span(0xFF01, 0xFFEF) | span(0x2460, 0x24FF)


def _double_byte(codec: str, leads: Iterable[int], trails: Iterable[int]) -> set[int]:
    """Every character a legacy double-byte charset can encode."""
    found: set[int] = set()
    trail_list = list(trails)
    for lead in leads:
        for trail in trail_list:
            try:
                text = bytes([lead, trail]).decode(codec)
            except UnicodeDecodeError:
                continue
            if len(text) == 1:
                found.add(ord(text))
    return found


def cjk_charset(region: str) -> set[int]:
    """The national standard each region's invoices are expected to stay in."""
    euc = range(0xA1, 0xFF)
    if region == "JP":  # JIS X 0208 (EUC-JP two-byte plane)
        chars = _double_byte("euc_jp", euc, euc) | span(0xFF61, 0xFF9F)
    elif region == "SC":  # GB 2312
        chars = _double_byte("gb2312", range(0xA1, 0xF8), euc)
    elif region == "TC":  # Big5 symbols + level 1 (the 5,401 common hanzi)
        chars = _double_byte("big5", range(0xA1, 0xC7), [*range(0x40, 0x7F), *euc])
    elif region == "KR":  # KS X 1001 (incl. hanja) + every modern Hangul syllable
        chars = _double_byte("euc_kr", euc, euc) | span(0xAC00, 0xD7A3)
    else:
        raise ValueError(region)
    return chars | CJK_COMMON


@dataclass(frozen=True)
class Family:
    name: str  # also the file stem and the ReportLab family name
    source: str  # for the version string and README
    licence: str  # file name of the licence shipped beside it
    load: Callable[[str], TTFont]  # style -> primary font, before subsetting
    unicodes: set[int]
    layout: bool  # keep GSUB/GPOS (small for alphabetic scripts, huge for CJK)


# ---------------------------------------------------------------- sources


def pypi_font(dist: str, filename: str) -> Path:
    version = metadata.version(dist)
    # Compare as versions: the wheel says "2.002" where PyPI normalises to "2.2".
    if Version(version) != Version(PYPI_PINS[dist]):
        raise SystemExit(f"{dist} {version} installed; this build pins {PYPI_PINS[dist]}")
    module = dist.replace("-", "_")
    with resources.as_file(resources.files(module) / "files" / filename) as path:
        return Path(path)


def pypi_licence(dist: str) -> bytes:
    return (resources.files(dist.replace("-", "_")) / "LICENSE").read_bytes()


def fetch_cjk(deb: Path | None, work: Path) -> Path:
    """Unpack fonts-noto-cjk and return its font directory."""
    if deb is None:
        subprocess.run(
            ["apt-get", "download", f"fonts-noto-cjk={CJK_DEB_VERSION}"], cwd=work, check=True
        )
        deb = next(work.glob("fonts-noto-cjk_*.deb"))
    digest = hashlib.sha256(deb.read_bytes()).hexdigest()
    if digest != CJK_DEB_SHA256:
        raise SystemExit(f"{deb}: sha256 {digest}, expected {CJK_DEB_SHA256}")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(work / "cjk")], check=True)
    return work / "cjk"


def cjk_licence(root: Path, font: TTFont) -> str:
    """OFL text from the Debian copyright file, under the font's own notice."""
    text = (root / "usr/share/doc/fonts-noto-cjk/copyright").read_text()
    body = text.split("License: SIL-1.1\n", 2)[2]
    lines = [line[1:] if line.startswith(" ") else line for line in body.splitlines()]
    lines = ["" if line == "." else line for line in lines]
    notice = font["name"].getDebugName(0)
    return f"{notice}\n\n" + "\n".join(lines).strip() + "\n"


# ------------------------------------------------------------ transforms


def static_instance(path: Path, weight: int) -> TTFont:
    """Pin a variable font's axes: ReportLab draws only the default master."""
    font = TTFont(str(path))
    axes = {"wght": weight, "wdth": 100}
    return instancer.instantiateVariableFont(font, axes, updateFontNames=False)


def subset(font: TTFont, unicodes: set[int], layout: bool) -> None:
    options = Options()
    options.layout_features = ["*"] if layout else []
    options.name_IDs = ["*"]
    options.name_languages = [0x409]
    options.notdef_outline = True
    options.glyph_names = False
    options.drop_tables += ["vhea", "vmtx", "VORG", "BASE", "STAT", "DSIG", "meta"]
    subsetter = Subsetter(options)
    subsetter.populate(unicodes=unicodes & set(font.getBestCmap()))
    subsetter.subset(font)


def cff_to_glyf(font: TTFont) -> None:
    """Redraw cubic CFF outlines as quadratic TrueType glyphs."""
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in font.getGlyphOrder():
        pen = TTGlyphPen(None)
        # TrueType wants clockwise outer contours; CFF draws them the other way.
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        glyphs[name] = pen.glyph()
    glyf = newTable("glyf")
    glyf.glyphOrder = font.getGlyphOrder()
    glyf.glyphs = glyphs
    del font["CFF "]
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    _truetype_maxp(font)
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def _truetype_maxp(font: TTFont) -> None:
    """maxp 1.0 (TrueType) has fields CFF's 0.5 lacks; compile fills the rest."""
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
        "maxComponentDepth",
        "maxPoints",
        "maxContours",
        "maxCompositePoints",
        "maxCompositeContours",
    ):
        setattr(maxp, field, 0)
    maxp.maxZones = 1


def fill_missing(font: TTFont, donors: list[TTFont], wanted: set[int]) -> TTFont:
    """Merge glyphs for `wanted` characters `font` lacks, from the first donor
    that has them. ReportLab does no per-glyph fallback, so each family must be
    complete on its own."""
    missing = wanted - set(font.getBestCmap())
    parts = [font]
    for donor in donors:
        take = missing & set(donor.getBestCmap())
        if not take:
            continue
        part = _clone(donor)
        subset(part, take, layout=False)
        for tag in ("GSUB", "GPOS", "GDEF", "gasp", "prep", "fpgm", "cvt "):
            if tag in part:
                del part[tag]
        parts.append(part)
        missing -= take
    if len(parts) == 1:
        return font
    return Merger().merge([_as_file(p) for p in parts])


def _clone(font: TTFont) -> TTFont:
    return TTFont(_as_file(font))


def _as_file(font: TTFont) -> io.BytesIO:
    buf = io.BytesIO()
    font.save(buf)
    buf.seek(0)
    return buf


# ------------------------------------------------------------- Thai forms


def add_thai_forms(font: TTFont) -> None:
    """Add one cmap'd PUA glyph per shaping.THAI_FORMS entry.

    Each is the glyph HarfBuzz picks for the form's character in its sample
    cluster, as a composite moved by HarfBuzz's offset: drawn at the pen
    position with no shaping, it lands where a shaping engine would put it.
    """
    data = _as_file(font).getvalue()
    hb_font = hb.Font(hb.Face(data))
    order = font.getGlyphOrder()
    cmap = font.getBestCmap()
    for index, form in enumerate(THAI_FORMS):
        glyph, dx, dy = _shaped_glyph(hb_font, order, cmap, form.sample, form.char)
        name = _add_offset_glyph(font, glyph, dx, dy) if (dx or dy) else glyph
        _map_codepoint(font, PUA_START + index, name)


def _shaped_glyph(
    hb_font: hb.Font, order: list[str], cmap: dict[int, str], sample: str, char: str
) -> tuple[str, int, int]:
    buf = hb.Buffer()
    buf.add_str(sample)
    buf.guess_segment_properties()
    hb.shape(hb_font, buf, {})
    # Noto names variants after their base glyph (uni0E48 -> uni0E48.small).
    nominal = cmap[ord(char)]
    hits = [
        (order[info.codepoint], pos.x_offset, pos.y_offset)
        for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True)
        if re.fullmatch(re.escape(nominal) + r"(\..+)?", order[info.codepoint])
    ]
    if len(hits) != 1:
        raise SystemExit(f"cannot find {char!r} in shaped {sample!r}: {hits}")
    return hits[0]


def _add_offset_glyph(font: TTFont, base: str, dx: int, dy: int) -> str:
    name = f"{base}.pos{dx:+d}{dy:+d}".replace("+", "p").replace("-", "m")
    if name in font["glyf"]:
        return name
    component = GlyphComponent()
    component.glyphName = base
    component.x, component.y = dx, dy
    component.flags = 0
    glyph = Glyph()
    glyph.numberOfContours = -1
    glyph.components = [component]
    font["glyf"][name] = glyph
    font["hmtx"][name] = (font["hmtx"][base][0], font["hmtx"][base][1] + dx)
    font.setGlyphOrder(font["glyf"].glyphOrder)
    return name


def _map_codepoint(font: TTFont, codepoint: int, glyph: str) -> None:
    for table in font["cmap"].tables:
        if table.isUnicode():
            table.cmap[codepoint] = glyph


# --------------------------------------------------------------- output


def finalize(font: TTFont, family: str, style: str, source: str) -> TTFont:
    """Rename (modified fonts get their own name under the OFL), make the
    output deterministic, and drop what ReportLab never reads."""
    name = font["name"]
    for record in list(name.names):
        if record.nameID in (1, 2, 3, 4, 5, 6, 16, 17):
            name.removeNames(nameID=record.nameID)
    ps = f"{family}-{style}"
    pretty = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", family)
    for name_id, value in (
        (1, pretty),
        (2, style),
        (3, f"{ps};waffo-portal"),
        (4, f"{pretty} {style}"),
        (5, f"Version 1.0; built by waffo-portal scripts/build_fonts.py from {source}"),
        (6, ps),
    ):
        name.setName(value, name_id, 3, 1, 0x409)
    font["post"].formatType = 3.0  # no glyph names: nothing downstream needs them
    font["head"].created = font["head"].modified = EPOCH_SECONDS_SINCE_1904
    font.recalcTimestamp = False
    font["OS/2"].usWeightClass = WEIGHTS[style]
    font["head"].macStyle = 1 if style == "Bold" else 0
    font["OS/2"].fsSelection = (font["OS/2"].fsSelection & ~0b1100001) | (
        0b100000 if style == "Bold" else 0b1000000
    )
    return font


def build(family: Family, donors: Callable[[str], list[TTFont]], thai: bool) -> None:
    for style in WEIGHTS:
        font = family.load(style)
        if thai:
            add_thai_forms(font)
            unicodes = family.unicodes | {PUA_START + i for i in range(len(THAI_FORMS))}
        else:
            unicodes = family.unicodes
        subset(font, unicodes, family.layout)
        font = fill_missing(font, donors(style), COMMON)
        finalize(font, family.name, style, family.source)
        path = OUT / f"{family.name}-{style}.ttf"
        font.save(str(path))
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size:,} bytes")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cjk-deb", type=Path, help="fonts-noto-cjk .deb already downloaded")
    parser.add_argument("--only", nargs="*", help="family names to rebuild (default: all)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        run(args.cjk_deb, Path(tmp), set(args.only or []))
    return 0


def run(cjk_deb: Path | None, work: Path, only: set[str]) -> None:
    sans = pypi_font("fontpkg-noto-sans", "NotoSans[wdth,wght].ttf")
    thai = pypi_font("fontpkg-noto-sans-thai", "NotoSansThai[wdth,wght].ttf")
    arabic = pypi_font("fontpkg-noto-sans-arabic", "NotoSansArabic[wdth,wght].ttf")
    statics: dict[tuple[Path, str], TTFont] = {}

    def static(path: Path, style: str) -> TTFont:
        if (path, style) not in statics:
            statics[path, style] = static_instance(path, WEIGHTS[style])
        return _clone(statics[path, style])

    def donors(style: str) -> list[TTFont]:
        return [static(sans, style), static(thai, style), static(arabic, style)]

    src = {dist: f"{dist} {PYPI_PINS[dist]} (PyPI)" for dist in PYPI_PINS}
    families = [
        Family(
            "WaffoSans",
            src["fontpkg-noto-sans"],
            "OFL-NotoSans.txt",
            lambda s: static(sans, s),
            LATIN,
            True,
        ),
        Family(
            "WaffoSansThai",
            src["fontpkg-noto-sans-thai"],
            "OFL-NotoSansThai.txt",
            lambda s: static(thai, s),
            THAI,
            True,
        ),
        Family(
            "WaffoSansArabic",
            src["fontpkg-noto-sans-arabic"],
            "OFL-NotoSansArabic.txt",
            lambda s: static(arabic, s),
            ARABIC,
            True,
        ),
    ]
    licences = {
        "OFL-NotoSans.txt": pypi_licence("fontpkg-noto-sans"),
        "OFL-NotoSansThai.txt": pypi_licence("fontpkg-noto-sans-thai"),
        "OFL-NotoSansArabic.txt": pypi_licence("fontpkg-noto-sans-arabic"),
    }
    wanted_cjk = not only or any(n.startswith("WaffoSansCJK") for n in only)
    if wanted_cjk:
        families += cjk_families(fetch_cjk(cjk_deb, work), licences)
    OUT.mkdir(parents=True, exist_ok=True)
    for family in families:
        if not only or family.name in only:
            build(family, donors, thai=family.name == "WaffoSansThai")
    for filename, text in licences.items():
        (OUT / filename).write_bytes(text)


def cjk_families(root: Path, licences: dict[str, bytes]) -> list[Family]:
    source = f"fonts-noto-cjk {CJK_DEB_VERSION} (Debian)"

    def loader(region: str) -> Callable[[str], TTFont]:
        def load(style: str) -> TTFont:
            path = root / CJK_DIR / f"NotoSansCJK-{style}.ttc"
            font = TTFont(str(path), fontNumber=CJK_FACES[region])
            # Subset before converting: converting 65k glyphs would take minutes.
            subset(font, cjk_charset(region), layout=False)
            cff_to_glyf(font)
            return _clone(font)

        return load

    first = TTFont(str(root / CJK_DIR / "NotoSansCJK-Regular.ttc"), fontNumber=0)
    licences["OFL-NotoSansCJK.txt"] = cjk_licence(root, first).encode()
    return [
        Family(
            f"WaffoSansCJK{region}",
            source,
            "OFL-NotoSansCJK.txt",
            loader(region),
            cjk_charset(region),
            False,
        )
        for region in CJK_FACES
    ]


if __name__ == "__main__":
    raise SystemExit(main())
