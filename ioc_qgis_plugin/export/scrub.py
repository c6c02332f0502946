"""Remove personal data from Vietnamese free text (Decree 13/2023) before it leaves the IOC.

What goes: phone numbers (mobile, landline, glued to words, full-width digits), e-mails (also "＠", "(at)"),
ID numbers (CCCD, CMND, passports), dates of birth, bank accounts, licence plates (car and motorbike), house and
alley numbers ("nhà số 12", "K355/26", "123/4 Lê Lợi"), social-network handles, and people's names — after cue
words ("tôi là", "anh", "cô giáo", "Hộ"), after "là" in kinship phrases, and without any cue when the run starts
with a Vietnamese family name (also lower case, upper case and without diacritics).

What stays: street and ward names that are people's names ("đường Nguyễn Trãi", "phường Xuân An") — they are
recognised by the place noun in front of them or by the city's gazetteer (see gazetteer.py) — report numbers,
incident dates, legal references, amounts, times and distances.

Each removal is replaced by a token naming what was removed, so the preview can highlight it and the publish log
can count it. Deliberately greedy: a false positive costs a few words of a public description; a false negative
publishes a citizen's phone number. Pure functions of the text and the gazetteer: a re-export gives identical output.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Callable, Iterable, Optional

from .vn_lexicon import _FAMILY, _MIDDLE, COMMON_STREETS, NOT_NAME_WORDS, fold, is_family_name, is_middle_name

TOKENS = {
    "email": "[email]",
    "social": "[mạng xã hội]",
    "id_number": "[số giấy tờ]",
    "birth_date": "[ngày sinh]",
    "bank_account": "[số tài khoản]",
    "plate": "[biển số]",
    "phone": "[số điện thoại]",
    "house_number": "[số nhà]",
    "name": "[tên]",
    "number": "[số]",
}
PHONE_TOKEN = TOKENS["phone"]
EMAIL_TOKEN = TOKENS["email"]
ID_TOKEN = TOKENS["id_number"]
NAME_TOKEN = TOKENS["name"]
NUMBER_TOKEN = TOKENS["number"]
# Any token in scrubbed text (the preview highlights these spans).
TOKEN_RE = re.compile("|".join(re.escape(t) for t in sorted(TOKENS.values(), key=len, reverse=True)))

_I = re.IGNORECASE
# Separators people put between digit groups: spaces, dots, dashes, slashes, brackets.
_SEP = r"[\s.\-/()\u00a0]{0,3}"
_PHONE_RUN = re.compile(rf"(?<![\d+\-/])(?:(?:\(?\+\s*84\)?|\(?0084\)?|\(84\)){_SEP})?\(?\d(?:{_SEP}\d){{6,13}}(?!\d)")
_EMAIL = re.compile(
    r"[\w.+\-]+\s*(?:@|\(at\)|\[at\]|\{at\}|\s+at\s+)\s*[\w\-]+(?:\s*(?:\.|\(dot\)|\[dot\]|\s+dot\s+)\s*[\w\-]+)+", _I
)
_SOCIAL_URL = re.compile(
    r"(?:https?://)?(?:www\.|m\.)?(?:facebook|fb|zalo|tiktok|instagram|twitter)\.(?:com|me|vn)(?:/[\w.\-?=&%]+)+", _I
)
_HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z0-9_.]{3,}")
_SOCIAL_CUE = re.compile(
    r"(?<!\w)(?:zalo|facebook|fb|face|tiktok|instagram|insta|ig|nick(?:\s*name)?|telegram|viber|skype)\s*"
    r"(?:là|la|:|-)?\s*:?\s*((?=[A-Za-z0-9_.]*[A-Za-z])(?:[A-Za-z0-9_.]*[0-9_.][A-Za-z0-9_.]*|[a-z][a-z0-9]{3,}))"
    r"(?![\w@])",
    _I,
)
_ID_CUE = re.compile(
    r"(?<!\w)(?:cccd|cmnd|cmt|căn\s+cước(?:\s+công\s+dân)?|can\s+cuoc|chứng\s+minh(?:\s+nhân\s+dân|\s+thư)?"
    r"|hộ\s+chiếu|ho\s+chieu|passport(?:\s+no\.?)?|hc|mã\s+định\s+danh|số\s+định\s+danh|định\s+danh|id)"
    r"\s*(?:số|so|no\.?|:|#)?\s*:?\s*([A-Z]{0,2}\s?\d(?:[\s.\-]?\d){5,13})(?!\d)",
    _I,
)
_PASSPORT = re.compile(r"(?<![\w\-/])[A-Z]\d{7}(?!\w)")
_DATE = r"\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}"
_DOB_CUE = re.compile(
    r"(?<!\w)(?:sinh\s+ngày|sinh\s+ngay|sinh\s+năm|sinh\s+nam|ngày\s+sinh|ngay\s+sinh|năm\s+sinh|nam\s+sinh|sinh"
    r"|sn|ns|dob|d\.o\.b\.?|born(?:\s+on|\s+in)?)\s*:?\s*(?:ngày|ngay|năm|nam)?\s*"
    rf"({_DATE}|\d{{4}})(?![\d/])",
    _I,
)
_OLD_DATE = re.compile(r"(?<![\d/.\-])\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*(?:19\d\d|200\d)(?![\d/])")
_BANK_CUE = re.compile(
    r"(?<!\w)(?:stk|số\s+tài\s+khoản|so\s+tai\s+khoan|số\s+tk|tài\s+khoản|tai\s+khoan|tk|account(?:\s+no\.?)?"
    r"|chuyển\s+khoản(?:\s+vào)?|chuyen\s+khoan(?:\s+vao)?|ck)\s*(?:số|so|:|#)?\s*:?\s*(?:[A-Za-z]+\s+){0,2}"
    r"(\d(?:[\s.\-]?\d){5,18})(?!\d)",
    _I,
)
_PLATE = re.compile(
    r"(?<![\w.])\d{2}\s?-?\s?[A-Z]{1,2}(?:\s?-?\s?\d)?\s?[-.]?\s?(?:\d{3}[.\s]?\d{2}|\d{4})(?![\w])", _I
)
_HOUSE_NO = r"\d+[A-Z]?(?:\s*[/\-]\s*\d+[A-Z]?)*"
_HOUSE_CUE = re.compile(
    r"(?<!\w)(?:số\s+nhà|so\s+nha|nhà\s+số|nha\s+so|căn\s+hộ(?:\s+số)?|can\s+ho(?:\s+so)?|nhà|nha|sn)\s*:?\s*"
    rf"({_HOUSE_NO})(?![\d/])",
    _I,
)
_NOT_HOUSE_AFTER = re.compile(r"\s*(?:tầng|lầu|người|hộ|gian|phòng|căn|m\b|m2|m²|cái|chiếc|năm|tháng)", _I)
_SO_STREET = re.compile(
    rf"(?<!\w)(?:[Ss]ố|SỐ|[Ss]o)\s+({_HOUSE_NO})(?=\s*,?\s*(?:đường|duong|phố|pho|hẻm|hem|kiệt|kiet|ngõ|ngo|[A-ZĐ]))"
)
_ALLEY = re.compile(
    rf"(?<!\w)(?:kiệt|kiet|hẻm|hem|ngõ|ngo|ngách|ngach|hxh)\s*(?:số|so)?\s*\.?\s*({_HOUSE_NO})(?![\d/])", _I
)
_ALLEY_SHORT = re.compile(r"(?<!\w)[KkHh]\s?(\d+[A-Z]?(?:\s*/\s*\d+[A-Z]?)+)(?![\w/])")
_SLASH_STREET = re.compile(
    r"(?<![\w/.\-])(\d+[A-Z]?/\d+[A-Z]?(?:/\d+[A-Z]?)*)(?=\s+(?:đường\s+|phố\s+)?[A-ZĐ][^\W\d_])"
)
_LONG_DIGITS = re.compile(r"(?<![\w\-/.])\d(?:[\s.\-]?\d){7,}(?![\w])")
_AMOUNT = re.compile(r"\d{1,3}(?:[.,]\d{3})+")
_CURRENCY_AFTER = re.compile(r"\s*(?:đ|đồng|dong|vnd|vnđ|triệu|tỷ|usd)(?!\w)", _I)
_DATE_FULL = re.compile(r"\d{1,2}[.\-/]\d{1,2}[.\-/]\d{4}|\d{4}[.\-/]\d{1,2}[.\-/]\d{1,2}")
# Words before a number that make it something other than a house number (legal refs, units, admin groups).
_NOT_HOUSE_WORDS = (
    "điều khoản điểm chương mục tiết km ql lộ tổ kp phố ấp khóm thôn lần tầng thứ ngày tháng năm lúc khoảng hơn gần "
    "có được phường quận xã đội tuyến số xe loại đợt khu vực p q hẻm kiệt ngõ từ đến hôm sáng chiều tối"
).split()
_NAME_FOLDS = {fold(w) for w in (*_FAMILY, *_MIDDLE)}
_WORD = re.compile(r"[^\W\d_]+")

# Name cues, written with diacritics; matched on folded text and then checked against the original word, so that
# "đi" (go) is not taken for "dì" (aunt) but text typed without diacritics still matches.
_STRONG_CUES = (
    "tôi là",
    "tên tôi là",
    "tôi tên là",
    "tôi tên",
    "em là",
    "mình là",
    "tên là",
    "họ tên",
    "họ và tên",
    "tên",
    "người báo",
    "người phản ánh",
    "my name is",
)
_WEAK_CUES = (
    "liên hệ",
    "anh",
    "chị",
    "ông",
    "bà",
    "cô",
    "chú",
    "bác",
    "cậu",
    "dì",
    "thím",
    "mợ",
    "em",
    "cháu",
    "cụ",
    "bé",
    "hộ",
    "gia đình",
    "cô giáo",
    "thầy giáo",
    "thầy",
    "chủ nhà",
    "chủ hộ",
    "chủ xe",
    "tổ trưởng",
    "vợ",
    "chồng",
    "con",
    "mr",
    "mrs",
    "ms",
    "nick",
    "zalo",
    "facebook",
    "fb",
)
_CUE_FORMS = {c: c for c in _STRONG_CUES + _WEAK_CUES}
_CUE_RE = re.compile(
    r"(?<![a-z0-9])("
    + "|".join(re.escape(fold(c)).replace(r"\ ", r"\s+") for c in sorted(_CUE_FORMS, key=len, reverse=True))
    + r")\s*:?\s+"
)
_CUES_BY_FOLD: dict[str, set[str]] = {}
for _c in _CUE_FORMS:
    _CUES_BY_FOLD.setdefault(fold(_c), set()).add(_c)
_STRONG_FOLDED = {fold(c) for c in _STRONG_CUES}
_KIN_LA = re.compile(r"(?<![a-z])(?:con|chau|vo|chong|bo|me|cha|em|anh|chi)(?![a-z])[^.;:\n\[]{0,80}?(?<![a-z])(la)\s+")
# The word before a capitalised run that makes it a place: the last word of "đường", "công viên", "bệnh viện"…
_PLACE_WORDS = (
    "đường phố phường xã quận huyện tỉnh tp hẻm kiệt ngõ ngách chợ cầu trường thcs thpt viện viên khu ấp "
    "thôn khóm kp p q đ bến ga xoay tư lộ góc nút tuyến đoạn cư cổng đình chùa thờ đền đài lăng trạm ubnd sở tâm "
    "tòa tháp sông suối kênh rạch núi đồi đảo sạn quán tiệm định luật điều xóm xứ đạo nghiệp dự án hóa"
).split()
_LOWER_STOP_WORDS = (
    "ở sống tại phản ánh xin có đang là người dân nhà đã muốn báo và với cần thấy bị gọi liên hệ của cư trú hiện"
).split()
_LOWER_STOP = {w for w in _LOWER_STOP_WORDS}
# without diacritics "bao" may be "báo" (report) or the middle name "Bảo": only unambiguous words stop a name
_LOWER_STOP_FOLDED = {fold(w) for w in _LOWER_STOP_WORDS} - {fold(w) for w in (*_MIDDLE, *_FAMILY)}


def _nfkc(text: str) -> str:
    # NFKC folds full-width "＠" and digits to ASCII so that one set of rules sees them
    return unicodedata.normalize("NFKC", str(text))


def _wordset(words: list[str]) -> tuple[frozenset, frozenset]:
    return frozenset(x.lower() for x in words), frozenset(fold(x) for x in words) - _NAME_FOLDS


_NOT_HOUSE_BEFORE = _wordset(_NOT_HOUSE_WORDS)
_PLACE_BEFORE = _wordset(_PLACE_WORDS)


def _word_before_is(text: str, pos: int, words: tuple[frozenset, frozenset]) -> bool:
    """Is the word right before pos (spaces only between) one of `words`? With diacritics it must match exactly
    ("Tử" is not "từ"); typed without, it matches by folding unless that also folds to a name part."""
    m = re.search(r"([^\W\d_]+)\.?[ \t]*$", text[max(0, pos - 40) : pos])
    if not m:
        return False
    w = m.group(1).lower()
    return w in words[0] if not w.isascii() else fold(w) in words[1]


MEMO_ENTRIES = 50_000  # distinct texts remembered per scrubber (a few MB of descriptions)


class Scrubber:
    """The rules plus a gazetteer of the city's street and ward names (protected from the name rules)."""

    def __init__(self, gazetteer: Iterable[str] = (), remember: bool = False) -> None:
        """`remember`: scrub each distinct text once for this scrubber's life (an export); off by default so
        that a long-lived scrubber keeps no citizen's text in memory."""
        names = {n.strip() for n in (*COMMON_STREETS, *gazetteer) if n and len(n.strip()) >= 3}
        folded = sorted({re.sub(r"\s+", " ", fold(n)) for n in names}, key=len, reverse=True)
        self.gazetteer = frozenset(folded)
        body = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in folded)
        self._gaz = re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])")
        self._num_street = re.compile(
            rf"(?<![\w/.,:+\-])(\d+[a-z]?(?:/\d+[a-z]?)*)(?=,?\s+(?:duong\s+|pho\s+)?(?:{body})(?![a-z0-9]))"
        )
        self._memo: Optional[dict[tuple[str, str], tuple[str, tuple[tuple[str, int], ...]]]] = {} if remember else None

    # -- helpers ---------------------------------------------------------------------------------------------
    @staticmethod
    def _sub(
        rx: re.Pattern,
        kind: str,
        text: str,
        counts: Counter,
        group: int = 0,
        accept: Optional[Callable[[re.Match, str], bool]] = None,
    ) -> str:
        def repl(m: re.Match) -> str:
            if accept is not None and not accept(m, text):
                return m.group(0)
            counts[kind] += 1
            if not group:
                return TOKENS[kind]
            s, e = m.span(group)
            return m.group(0)[: s - m.start()] + TOKENS[kind] + m.group(0)[e - m.start() :]

        return rx.sub(repl, text)

    @staticmethod
    def _not_amount(m: re.Match, text: str) -> bool:
        s = m.group(0).strip()
        if _AMOUNT.fullmatch(s) and _CURRENCY_AFTER.match(text, m.end()):
            return False
        return not _DATE_FULL.fullmatch(re.sub(r"\s+", "", s))

    @staticmethod
    def _phone_ok(m: re.Match, text: str) -> bool:
        return _phone_digits_ok(m.group(0)) and Scrubber._not_amount(m, text)

    # -- names -----------------------------------------------------------------------------------------------
    def _name_spans(self, text: str) -> list[tuple[int, int]]:
        folded = fold(text)
        protected = [m.span() for m in self._gaz.finditer(folded)]

        def is_protected(s: int, e: int) -> bool:
            return any(ps < e and s < pe for ps, pe in protected)

        def run(start: int, capitalised_only: bool, max_words: int = 4) -> int:
            """End of the name run starting at `start` (== start when there is none)."""
            i, end, words = start, start, 0
            first_lower_ok = False
            while words < max_words:
                w = _WORD.match(text, i)
                if not w:
                    break
                word = w.group(0)
                if word.lower() in NOT_NAME_WORDS and not (words == 0 and is_family_name(word)):
                    break
                if not word[0].isupper():
                    if capitalised_only:
                        break
                    fw = fold(word)
                    if words == 0:
                        if not is_family_name(word):
                            break
                        first_lower_ok = True
                    elif not first_lower_ok or (fw in _LOWER_STOP_FOLDED if word.isascii() else word in _LOWER_STOP):
                        break
                end, words = w.end(), words + 1
                gap = re.match(r"[ \t]+", text[end:])
                if not gap:
                    break
                i = end + gap.end()
            return end

        spans: list[tuple[int, int]] = []
        # 1. after cue words
        for m in _CUE_RE.finditer(folded):
            cue_orig = text[m.start(1) : m.end(1)]
            forms = _CUES_BY_FOLD.get(re.sub(r"\s+", " ", m.group(1)), set())
            plain = cue_orig.isascii()
            if not plain and re.sub(r"\s+", " ", cue_orig.lower()) not in forms:
                continue
            if cue_orig[0].isupper() and not cue_orig.isupper():
                before = re.search(r"([^\W\d_]+)[ \t]+$", text[: m.start(1)])
                if before and before.group(1)[0].isupper() and not re.search(r"[.!?:;\n]\s*$", text[: m.start(1)]):
                    continue  # "Hai Bà Trưng": a cue inside a proper noun
            strong = re.sub(r"\s+", " ", m.group(1)) in _STRONG_FOLDED
            end = run(m.end(), capitalised_only=not strong)
            if end > m.end() and not is_protected(m.end(), end):
                spans.append((m.end(), end))
        # 2. kinship: "con của anh X là Y" — Y is a person too
        for m in _KIN_LA.finditer(folded):
            la = text[m.start(1) : m.end(1)]
            if la.lower() != "là" and not la.isascii():
                continue
            s = m.end()
            end = run(s, capitalised_only=True)
            if end > s and not is_protected(s, end):
                spans.append((s, end))
        # 3. no cue: a run that starts with a family name ("Hộ Võ Minh Quý", "VO MINH QUY", "nguyễn văn an")
        for w in _WORD.finditer(text):
            if not is_family_name(w.group(0)) or is_protected(w.start(), w.end()):
                continue
            if _word_before_is(text, w.start(), _PLACE_BEFORE):
                continue  # "đường Nguyễn Trãi", "trường Lê Quý Đôn" (only spaces between: a comma ends a place)
            nxt = _WORD.match(text, w.end() + 1) if text[w.end() : w.end() + 1] in (" ", "\t") else None
            if not nxt:
                continue
            if w.group(0)[0].isupper():
                if not nxt.group(0)[0].isupper() or nxt.group(0).lower() in NOT_NAME_WORDS:
                    continue
                end = run(w.start(), capitalised_only=True)
            else:
                if not is_middle_name(nxt.group(0)):
                    continue
                end = run(w.start(), capitalised_only=False, max_words=4)
            if end > w.end() and not is_protected(w.start(), end):
                spans.append((w.start(), end))
        # merge overlaps
        spans.sort()
        merged: list[tuple[int, int]] = []
        for s, e in spans:
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], e))
            else:
                merged.append((s, e))
        return merged

    def _names(self, text: str, counts: Counter) -> str:
        spans = self._name_spans(text)
        for s, e in reversed(spans):
            text = text[:s] + NAME_TOKEN + text[e:]
            counts["name"] += 1
        return text

    # -- house numbers ---------------------------------------------------------------------------------------
    def _house_numbers(self, t: str, counts: Counter) -> str:
        t = self._sub(_HOUSE_CUE, "house_number", t, counts, 1, lambda m, s: not _NOT_HOUSE_AFTER.match(s, m.end()))
        t = self._sub(_SO_STREET, "house_number", t, counts, 1)
        t = self._sub(_ALLEY, "house_number", t, counts, 1)
        t = self._sub(_ALLEY_SHORT, "house_number", t, counts)
        folded = fold(t)
        spans = [
            m.span(1)
            for m in self._num_street.finditer(folded)
            if not _word_before_is(t, m.start(1), _NOT_HOUSE_BEFORE)
        ]
        for s, e in reversed(spans):
            t = t[:s] + TOKENS["house_number"] + t[e:]
            counts["house_number"] += 1
        t = self._sub(
            _SLASH_STREET,
            "house_number",
            t,
            counts,
            1,
            lambda m, s: not _word_before_is(s, m.start(1), _NOT_HOUSE_BEFORE),
        )
        return t

    # -- public ----------------------------------------------------------------------------------------------
    def scrub(self, text: Optional[str], counts: Optional[Counter] = None) -> Optional[str]:
        """All rules in a fixed order: the most specific patterns first, names late, long digit runs last."""
        return self._remembered("scrub", self._scrub, text, counts)

    def address(self, text: Optional[str], counts: Optional[Counter] = None) -> Optional[str]:
        """An address keeps its street, ward and neighbourhood group; house and alley numbers go."""
        return self._remembered("address", self._address, text, counts)

    def _remembered(
        self, rule: str, compute: Callable[[str, Counter], str], text: Optional[str], counts: Optional[Counter]
    ) -> Optional[str]:
        """The result depends on the text alone, and a column repeats its values (categories, wards, the same
        street, templated texts): each distinct text is scrubbed once, its removals counted every time."""
        if text is None:
            return None
        if self._memo is None:
            return compute(text, counts if counts is not None else Counter())
        hit = self._memo.get((rule, text))
        if hit is None:
            found: Counter = Counter()
            if len(self._memo) >= MEMO_ENTRIES:
                self._memo.clear()  # bounded memory; the next texts are scrubbed afresh
            hit = self._memo[(rule, text)] = (compute(text, found), tuple(found.items()))
        if counts is not None:
            for kind, n in hit[1]:
                counts[kind] += n
        return hit[0]

    def _scrub(self, text: str, c: Counter) -> str:
        t = _nfkc(text)
        t = self._sub(_EMAIL, "email", t, c)
        t = self._sub(_SOCIAL_URL, "social", t, c)
        t = self._sub(_HANDLE, "social", t, c)
        t = self._sub(_SOCIAL_CUE, "social", t, c, 1)
        t = self._sub(_ID_CUE, "id_number", t, c, 1)
        t = self._sub(_PASSPORT, "id_number", t, c)
        t = self._sub(_DOB_CUE, "birth_date", t, c, 1)
        t = self._sub(_OLD_DATE, "birth_date", t, c)
        t = self._sub(_BANK_CUE, "bank_account", t, c, 1)
        t = self._sub(_PLATE, "plate", t, c)
        t = self._sub(_PHONE_RUN, "phone", t, c, accept=self._phone_ok)
        t = self._house_numbers(t, c)
        t = self._names(t, c)
        t = self._sub(_LONG_DIGITS, "number", t, c, accept=self._not_amount)  # bare CCCD/CMND, accounts, landlines
        return t

    def _address(self, text: str, c: Counter) -> str:
        t = self.scrub(text, c) or ""

        def drop(m: re.Match) -> str:
            if _word_before_is(t, m.start(), _ADDRESS_KEEP_BEFORE):
                return m.group(0)
            c["house_number"] += 1
            return ""

        t = _ADDRESS_NUMBER.sub(drop, t)
        # the token left by the free-text rules and its cue words go too: an address needs neither
        t = _ADDRESS_TOKEN.sub("", t)  # counted when the token was placed
        t = re.sub(r"\s*,\s*(?:,\s*)+", ", ", t)
        t = re.sub(r"[ \t]{2,}", " ", t)
        return t.strip(" ,-;")


_ADDRESS_NUMBER = re.compile(
    r"(?<!\w)(?:(?:số\s+nhà|nhà\s+số|nhà|số|căn\s+hộ|kiệt|hẻm|ngõ|ngách|hxh|[KkHh])\s*\.?\s*:?\s*)?"
    r"\d+[A-Za-z]?(?:\s*[/\-]\s*\d+[A-Za-z]?)*(?!\w)",
    _I,
)
_ADDRESS_TOKEN = re.compile(
    r"(?<!\w)(?:(?:số\s+nhà|nhà\s+số|nhà|số|căn\s+hộ|kiệt|hẻm|ngõ|ngách|hxh|[KkHh])\s*\.?\s*:?\s*)?"
    + re.escape(TOKENS["house_number"]),
    _I,
)
_ADDRESS_KEEP_BEFORE = _wordset(
    "tổ kp phố vực ấp khóm thôn phường p quận q xã đội km lộ ql dt đt tl khu liên gia".split()
)


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


_DEFAULT = Scrubber()


def default_scrubber() -> Scrubber:
    return _DEFAULT


def scrub_phones(text: str) -> str:
    return Scrubber._sub(_PHONE_RUN, "phone", _nfkc(text), Counter(), accept=Scrubber._phone_ok)


def scrub_names(text: str) -> str:
    return _DEFAULT._names(_nfkc(text), Counter())


def scrub_text(text: Optional[str], counts: Optional[Counter] = None) -> Optional[str]:
    return _DEFAULT.scrub(text, counts)


def generalise_address(text: Optional[str], counts: Optional[Counter] = None) -> Optional[str]:
    """Keep the street, drop the house number and alley numbers ("123/4 Lê Lợi" → "Lê Lợi")."""
    return _DEFAULT.address(text, counts)


def removed_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every token in scrubbed text, for highlighting."""
    by_token = {v: k for k, v in TOKENS.items()}
    return [(m.start(), m.end(), by_token[m.group(0)]) for m in TOKEN_RE.finditer(text or "")]
