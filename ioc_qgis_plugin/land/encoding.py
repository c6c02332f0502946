"""Legacy Vietnamese encodings in old cadastral attribute tables: TCVN3 (ABC, TCVN 5712:1993 VN3) and VNI-Windows.

Tables written from the published character maps. TCVN3 is one byte per letter (the upper-case toned letters
lived in a separate "H" font with the same codes, so they decode to lower case). VNI is a base letter followed by
a modifier byte carrying the hat and/or tone. Detection decodes with each candidate and keeps the one whose text
looks most like Vietnamese: no stray symbols, at most one tone mark per syllable.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Sequence

# -- TCVN3 (ABC) -------------------------------------------------------------------------------------------------
# Runs of consecutive codes from the VN3 chart (the gaps hold punctuation/tone glyphs, not letters).
_TCVN3_RUNS = (
    (0xA1, "ĂÂÊÔƠƯĐăâêôơưđ"),
    (0xB5, "àảãáạ"),
    (0xBB, "ằẳẵắ"),
    (0xC6, "ặầẩẫấậè"),
    (0xCE, "ẻẽéẹềểễếệìỉ"),
    (0xDC, "ĩíịò"),
    (0xE1, "ỏõóọồổỗốộờởỡớợù"),
    (0xF1, "ủũúụừửữứựỳỷỹýỵ"),
)
_TCVN3_TABLE: dict[int, str] = {start + i: ch for start, run in _TCVN3_RUNS for i, ch in enumerate(run)}

# -- VNI-Windows -------------------------------------------------------------------------------------------------
# Modifier byte (as its cp1252 glyph, lower/upper case) -> combining marks it adds to the preceding base letter.
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE = "\u0302", "\u0306"
_VNI_MODS = {
    "ù": _ACUTE,
    "ø": _GRAVE,
    "û": _HOOK,
    "õ": _TILDE,
    "ï": _DOT,
    "â": _CIRC,
    "á": _CIRC + _ACUTE,
    "à": _CIRC + _GRAVE,
    "å": _CIRC + _HOOK,
    "ã": _CIRC + _TILDE,
    "ä": _CIRC + _DOT,
    "ê": _BREVE,
    "é": _BREVE + _ACUTE,
    "è": _BREVE + _GRAVE,
    "ú": _BREVE + _HOOK,
    "ü": _BREVE + _TILDE,
    "ë": _BREVE + _DOT,
}
_VNI_MODS.update({k.upper(): v for k, v in list(_VNI_MODS.items())})
# Letters VNI encodes as one byte (they may still take a tone modifier: ô+ù = ớ).
_VNI_SINGLE = {
    "ô": "ơ",
    "Ô": "Ơ",
    "ö": "ư",
    "Ö": "Ư",
    "ñ": "đ",
    "Ñ": "Đ",
    "í": "í",
    "Í": "Í",
    "ì": "ì",
    "Ì": "Ì",
    "æ": "ỉ",
    "Æ": "Ỉ",
    "ó": "ĩ",
    "Ó": "Ĩ",
    "ò": "ị",
    "Ò": "Ị",
    "î": "ỵ",
    "Î": "Ỵ",
}
_HAT_BASES = set("aeoAEO")
_BREVE_BASES = set("aA")
_VNI_TOKEN = re.compile(
    "([aeouyAEOUYôöÔÖ])([" + re.escape("".join(_VNI_MODS)) + "])|([" + re.escape("".join(_VNI_SINGLE)) + "])"
)


def _vni_token(m: re.Match) -> str:
    if m.group(3):
        return _VNI_SINGLE[m.group(3)]
    base, mod = m.group(1), m.group(2)
    marks = _VNI_MODS[mod]
    if (_CIRC in marks and base not in _HAT_BASES) or (_BREVE in marks and base not in _BREVE_BASES):
        return _VNI_SINGLE.get(base, base) + mod
    return unicodedata.normalize("NFC", _VNI_SINGLE.get(base, base) + marks)


def decode_vni(raw: bytes, strict: bool = False) -> str:
    """One left-to-right pass, so a letter produced from a pair is never re-read as a one-byte VNI letter."""
    text = _VNI_TOKEN.sub(_vni_token, raw.decode("latin-1"))
    if strict:  # modifiers left over (no base before them) are not text
        text = "".join("\ufffd" if ord(ch) > 0x7F and ch in _VNI_MODS else ch for ch in text)
    return text


def decode_tcvn3(raw: bytes, strict: bool = False) -> str:
    """Bytes without a VN3 letter stay Latin-1 (or U+FFFD when `strict`, so detection does not take them for text)."""
    other = "\ufffd" if strict else None
    return "".join(_TCVN3_TABLE.get(b, other or chr(b)) if b >= 0x80 else chr(b) for b in raw)


def decode_cp1258(raw: bytes, strict: bool = False) -> str:
    return unicodedata.normalize("NFC", raw.decode("cp1258", errors="replace"))


def _decode_utf8(raw: bytes, strict: bool = False) -> str:
    return raw.decode("utf-8")


DECODERS = {
    "utf-8": _decode_utf8,
    "tcvn3": decode_tcvn3,
    "vni": decode_vni,
    "cp1258": decode_cp1258,
    "latin-1": lambda raw, strict=False: raw.decode("latin-1"),
}
ENCODING_NAMES = {
    "auto": "Automatic",
    "utf-8": "Unicode (UTF-8)",
    "tcvn3": "TCVN3 (ABC)",
    "vni": "VNI-Windows",
    "cp1258": "Windows-1258",
    "latin-1": "Latin-1 (no conversion)",
}

# -- plausibility ------------------------------------------------------------------------------------------------
_VI_LETTERS = set(
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ"
)
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_WORD = re.compile(r"[^\W\d_]+")
# A toned/hatted vowel right after a, ă, â, e or ê does not occur in Vietnamese spelling (oa, uy, iê, ươ do):
# it is what a VNI modifier byte looks like when read as a TCVN3 letter.
_BAD_CLUSTER = re.compile(
    "[aăâeê][àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]"
    "|[oôơ][òóỏõọồốổỗộờớởỡợùúủũụừứửữựìíỉĩịỳýỷỹỵ]",
    re.I,
)


def badness(text: str) -> tuple[int, int]:
    """(implausible signs, Vietnamese letters): stray non-ASCII symbols + syllables with several tone marks."""
    bad = sum(1 for ch in text if ord(ch) > 0x7F and ch not in _VI_LETTERS)
    for word in _WORD.findall(text):
        if any(ord(c) > 0x7F for c in word):
            tones = sum(1 for c in unicodedata.normalize("NFD", word) if c in _TONES)
            if tones > 1:
                bad += tones - 1
            bad += len(_BAD_CLUSTER.findall(word))
    good = sum(1 for ch in text if ch in _VI_LETTERS)
    return bad, good


def detect(raw_values: Iterable[bytes], candidates: Sequence[str] = ("utf-8", "tcvn3", "vni", "cp1258")) -> str:
    """Best encoding for a column/table of byte strings; 'ascii' when there is nothing to decide."""
    sample = b"\n".join(v for v in raw_values if v)
    if not any(b > 0x7F for b in sample):
        return "ascii"
    best, best_key = "latin-1", None
    for rank, name in enumerate(candidates):
        try:
            text = DECODERS[name](sample, strict=True)
        except UnicodeDecodeError:
            continue
        bad, good = badness(text)
        key = (bad, -good, rank)
        if best_key is None or key < best_key:
            best, best_key = name, key
    return best


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def raw_mode(values: Sequence[str]) -> str:
    """How GDAL handed legacy bytes over: 'surrogate' (undecodable bytes escaped: Python's surrogateescape),
    'latin-1' (recoded from an assumed ISO-8859-1), or '' (real Unicode / plain ASCII: nothing to repair)."""
    seen_high = False
    beyond_latin1 = False
    for v in values:
        for ch in v or "":
            o = ord(ch)
            if 0xDC80 <= o <= 0xDCFF:
                return "surrogate"
            if o > 0xFF:
                beyond_latin1 = True
            elif o > 0x7F:
                seen_high = True
    return "latin-1" if seen_high and not beyond_latin1 else ""


def looks_mojibake(values: Sequence[str]) -> bool:
    return raw_mode(values) != ""


def _to_bytes(text: str, mode: str) -> bytes:
    if mode == "surrogate":
        return text.encode("utf-8", "surrogateescape")
    return text.encode("latin-1")


def repair_texts(values: Sequence[str], encoding: str = "auto") -> tuple[list[str], str]:
    """Turn text read through GDAL into Unicode; returns (texts, encoding used).

    'unicode' means the text was already Unicode (or ASCII). Both ways GDAL passes legacy bytes on are lossless
    (Latin-1 is a bijection on bytes; surrogateescape keeps undecodable bytes), so the file's bytes come back exactly.
    """
    texts = ["" if v is None else str(v) for v in values]
    mode = raw_mode(texts)
    if encoding in ("", "unicode") or (encoding == "auto" and not mode):
        return texts, "unicode"
    if encoding == "auto":
        encoding = detect(_to_bytes(t, mode) for t in texts)
        if encoding in ("ascii", "latin-1"):
            return [
                t.encode("utf-8", "surrogateescape").decode("latin-1") for t in texts
            ] if mode == "surrogate" else texts, "unicode"
    decode = DECODERS[encoding]
    out = []
    for t in texts:
        try:
            raw = _to_bytes(t, mode or "latin-1")
        except UnicodeEncodeError:  # already real Unicode: leave as is
            out.append(t)
            continue
        try:
            out.append(decode(raw))
        except UnicodeDecodeError:
            out.append(raw.decode("utf-8", errors="replace"))
    return out, encoding


def encode_tcvn3(text: str) -> bytes:
    """Unicode → TCVN3 (for test fixtures and round trips); upper-case toned letters fall back to lower case."""
    reverse = {v: k for k, v in _TCVN3_TABLE.items()}
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ord(ch) < 0x80:
            out.append(ord(ch))
        elif ch in reverse:
            out.append(reverse[ch])
        elif ch.lower() in reverse:
            out.append(reverse[ch.lower()])
        else:
            raise ValueError(f"{ch!r} has no TCVN3 code")
    return bytes(out)


def encode_vni(text: str) -> bytes:
    """Unicode → VNI-Windows (for test fixtures and round trips)."""
    single_rev = {v: k for k, v in _VNI_SINGLE.items()}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ord(ch) < 0x80:
            out.append(ch)
            continue
        if ch in single_rev:
            out.append(single_rev[ch])
            continue
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        if base in "oOuU" and "\u031b" in marks:  # horn: ơ/ư are single VNI letters
            base = {"o": "ô", "O": "Ô", "u": "ö", "U": "Ö"}[base]
            marks = marks.replace("\u031b", "")
        mods = [k for k, v in _VNI_MODS.items() if sorted(v) == sorted(marks) and k.isupper() == base.isupper()]
        if not mods:
            raise ValueError(f"{ch!r} has no VNI code")
        out.append(base + mods[0])
    return "".join(out).encode("latin-1")
