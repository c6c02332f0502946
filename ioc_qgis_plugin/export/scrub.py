"""Remove personal data from free text (Decree 13/2023): phone numbers, e-mails, ID numbers, names after cues.

Deliberately greedy: a false positive costs a few words of a public description; a false negative publishes
a citizen's phone number. Pure functions of the text, so a re-export gives identical output.
"""

from __future__ import annotations

import re
import unicodedata

PHONE_TOKEN = "[số điện thoại]"
EMAIL_TOKEN = "[email]"
ID_TOKEN = "[số giấy tờ]"
NAME_TOKEN = "[tên]"
NUMBER_TOKEN = "[số]"

# Separators people put between digit groups: spaces, dots, dashes, slashes, brackets.
_SEP = r"[\s.\-/()\u00a0]{0,3}"
# A phone-like run: optional +84 / (84) / 0084 prefix, then digits with separators. Lengths checked in code.
_PHONE_RUN = re.compile(rf"(?<![\w+])(?:(?:\(?\+\s*84\)?|\(?0084\)?|\(84\)){_SEP})?\(?\d(?:{_SEP}\d){{6,13}}(?!\w)")
_EMAIL = re.compile(
    r"[\w.+\-]+\s*(?:@|\(at\)|\[at\]|\{at\}|\s+at\s+)\s*[\w\-]+(?:\s*(?:\.|\(dot\)|\[dot\]|\s+dot\s+)\s*[\w\-]+)+",
    re.IGNORECASE,
)
_ID_CUE = re.compile(
    r"(?:cccd|cmnd|cmt|căn\s+cước(?:\s+công\s+dân)?|chứng\s+minh(?:\s+nhân\s+dân|\s+thư)?|hộ\s+chiếu|passport"
    r"|mã\s+định\s+danh|số\s+định\s+danh|id)\s*(?:số|no\.?|:|#)?\s*:?\s*([A-Z]?\d(?:[\s.\-]?\d){5,13})",
    re.IGNORECASE,
)
# Cues after which Vietnamese (or English) text names a person. Matched case-insensitively; the name itself is
# the run of capitalised words that follows.
_NAME_CUES = (
    r"tôi\s+là|tên\s+tôi\s+là|tôi\s+tên\s+là|tôi\s+tên|em\s+là|mình\s+là|tên\s+là|họ\s+tên|họ\s+và\s+tên|người\s+báo"
    r"|người\s+phản\s+ánh|liên\s+hệ|anh|chị|ông|bà|cô|chú|bác|cậu|dì|thím|mợ|em|cháu"
    r"|mr\.?|mrs\.?|ms\.?|my\s+name\s+is"
)
_NAME_CUE = re.compile(rf"(?<!\w)(?:{_NAME_CUES})\s*:?\s+", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")
# After a cue, words that are not names even when capitalised (sentence starts, place nouns).
_NOT_NAMES = {"Phường", "Xã", "Quận", "Huyện", "Tỉnh", "Thành", "Đường", "Tổ", "Khu", "Ấp", "Thôn", "UBND", "Công"}
_LONG_DIGITS = re.compile(r"(?<!\w)\d(?:[\s.\-]?\d){8,}(?!\w)")


def _phone_digits_ok(text: str) -> bool:
    """True when a digit run has the length of a Vietnamese mobile or landline number (any prefix form)."""
    digits = re.sub(r"\D", "", text)
    plus = "+" in text or text.lstrip("( ").startswith(("84", "0084"))
    if digits.startswith("0084"):
        digits = "0" + digits[4:]
    elif plus and digits.startswith("84"):
        digits = "0" + digits[2:]
    # mobile 0[35789]xxxxxxxx (10 digits); landline 02x(x) + subscriber (10–11 digits); 9-digit forms missing the 0
    if len(digits) in (10, 11) and digits.startswith("0"):
        return True
    return len(digits) == 9 and digits[0] in "235789"


def scrub_phones(text: str) -> str:
    def repl(m: re.Match) -> str:
        return PHONE_TOKEN if _phone_digits_ok(m.group(0)) else m.group(0)

    return _PHONE_RUN.sub(repl, text)


def _inside_proper_noun(text: str, cue: re.Match) -> bool:
    """A capitalised cue after a capitalised word is part of a place name ("Hai Bà Trưng"), not a person cue."""
    if not cue.group(0)[0].isupper():
        return False
    before = re.search(r"([^\W\d_]+)[ \t]+$", text[: cue.start()])
    return bool(before and before.group(1)[0].isupper())


def scrub_names(text: str) -> str:
    """Replace the capitalised words following a cue ("tôi là", "anh", "bà", …) by a token."""
    out: list[str] = []
    pos = 0
    for m in _NAME_CUE.finditer(text):
        if m.start() < pos or _inside_proper_noun(text, m):
            continue
        i = m.end()
        end = i
        words = 0
        while words < 4:
            w = _WORD.match(text, i)
            if not w or not w.group(0)[0].isupper() or w.group(0) in _NOT_NAMES:
                break
            end = w.end()
            words += 1
            nxt = re.match(r"[ \t]+", text[end:])
            i = end + (nxt.end() if nxt else 0)
            if not nxt:
                break
        if words:
            out.append(text[pos : m.end()])
            out.append(NAME_TOKEN)
            pos = end
    out.append(text[pos:])
    return "".join(out)


def scrub_text(text: str | None) -> str | None:
    """All scrubbers in a fixed order: e-mails and ID numbers before phones, names last, long digit runs at the end."""
    if text is None:
        return None
    t = unicodedata.normalize("NFC", str(text))
    t = _EMAIL.sub(EMAIL_TOKEN, t)
    t = _ID_CUE.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + ID_TOKEN, t)
    t = scrub_phones(t)
    t = scrub_names(t)
    t = _LONG_DIGITS.sub(NUMBER_TOKEN, t)  # 9+ digit runs left over (bare CCCD/CMND, bank accounts)
    return t


_HOUSE_NUMBER = re.compile(
    r"^\s*(?:số\s+)?(?:(?:nhà|nha)\s+)?\d+[A-Za-z]?(?:[/\-]\d+[A-Za-z]?)*(?:\s*,)?\s*|(?:hẻm|kiệt|ngõ|ngách)\s+\d+\S*\s*",
    re.IGNORECASE,
)


def generalise_address(text: str | None) -> str | None:
    """Keep the street, drop the house number and alley numbers ("123/4 Lê Lợi" → "Lê Lợi")."""
    if text is None:
        return None
    return scrub_text(_HOUSE_NUMBER.sub("", unicodedata.normalize("NFC", str(text))).strip(" ,"))
