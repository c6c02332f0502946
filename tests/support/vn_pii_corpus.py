"""Seeded corpus of Vietnamese field reports with planted personal data and look-alikes that must survive.

Every planted token is recorded with its kind, its field and the patterns that find it again in exported text
after normalisation (NFKC, lower case, no diacritics, punctuation → space, spaces between digits removed), so a
leak is found whatever the exporter did to spacing, digits or accents. Look-alikes (street and ward names that are
people's names — taken from the store's gazetteer —, report numbers, incident dates, legal references, amounts,
times, distances) are recorded the same way and must still be there after the export.

Used by tests/unit/test_export_pii_corpus.py (targets) and tests/bench/test_bench_anon.py (figures).
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

STRUCTURED_KINDS = (
    "mobile",
    "landline",
    "email",
    "cccd",
    "cmnd",
    "passport",
    "plate",
    "bank_account",
    "birth_date",
    "house_number",
    "social_handle",
)
NAME_KINDS = ("name",)
TEXT_FIELDS = ("description", "status_notes", "address")
REPORTER_FIELDS = ("reporter_name", "reporter_phone", "reporter_email")

FAMILY = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Lâm Mai Tạ Quách Lưu Châu".split()
MIDDLE = "Văn Thị Minh Hữu Đức Ngọc Thanh Quốc Xuân Kim Thu Gia Bảo Công Hoài".split()
GIVEN = (
    "Quý Hùng Lan Tâm Dũng Hoa Tuấn Phước Châu Ngọc Khôi Nhi Hậu Thắng Sơn Hải Loan Nga Trang Vy Khoa Đạt Phúc "
    "Thảo Yến Quyên Tùng Khang Duyên Hiếu Nhung Lộc Toàn Nhàn Thơ Mẫn Huệ Kiên"
).split()


def fold(text: str) -> str:
    out = []
    for ch in unicodedata.normalize("NFKC", text):
        if ch in "đĐ":
            out.append("d")
        else:
            out.append((unicodedata.normalize("NFD", ch)[:1] or ch).lower())
    return "".join(out)


def norm(text: str) -> str:
    """Normalised form for searching: digits, diacritics and spacing do not matter."""
    t = fold(text)
    t = re.sub(r"[^a-z0-9@]+", " ", t)
    t = re.sub(r"(?<=\d) (?=\d)", "", t)
    return " " + t.strip() + " "


def _chars_pattern(secret: str, bounded: bool = True) -> re.Pattern:
    """A structured secret found with any (or no) spacing between its characters. Unbounded for numbers that may
    follow a prefix (+84, an area code), which normalisation glues to them."""
    chars = re.sub(r"[^a-z0-9]", "", fold(secret))
    body = r"\s?".join(re.escape(c) for c in chars)
    if not bounded:
        return re.compile(body)
    lead = r"(?<!\d)" if chars[0].isdigit() else r"(?<![a-z])"
    tail = r"(?!\d)" if chars[-1].isdigit() else r"(?![a-z])"
    return re.compile(lead + body + tail)


def _words_pattern(words: str) -> re.Pattern:
    parts = norm(words).split()
    return re.compile(r"(?<![a-z0-9])" + r"\s*".join(re.escape(p) for p in parts) + r"(?![a-z0-9])")


@dataclass
class Planted:
    kind: str
    field: str
    row: int
    text: str  # the phrase as planted
    patterns: list[re.Pattern]


@dataclass
class LookAlike:
    kind: str
    field: str
    row: int
    text: str
    pattern: re.Pattern


@dataclass
class Corpus:
    rows: list[dict]
    planted: list[Planted] = field(default_factory=list)
    lookalikes: list[LookAlike] = field(default_factory=list)

    def counts(self) -> Counter:
        return Counter(p.kind for p in self.planted)


@dataclass
class Measurement:
    planted: Counter
    leaked: Counter
    lookalikes: int
    lost: Counter
    examples: dict[str, list[str]]

    def leak_rate(self, kind: str) -> float:
        return self.leaked[kind] / self.planted[kind] if self.planted[kind] else 0.0

    @property
    def overscrub_rate(self) -> float:
        return sum(self.lost.values()) / self.lookalikes if self.lookalikes else 0.0

    def table(self) -> str:
        lines = [f"{'kind':<16}{'leaked':>8}{'planted':>9}{'rate':>8}"]
        for k in sorted(self.planted):
            lines.append(f"{k:<16}{self.leaked[k]:>8}{self.planted[k]:>9}{self.leak_rate(k):>8.1%}")
        lines.append(f"over-scrubbed look-alikes: {sum(self.lost.values())}/{self.lookalikes} ({dict(self.lost)})")
        return "\n".join(lines)


class _Gen:
    def __init__(self, seed: int, streets: Sequence[str], wards: Sequence[str]) -> None:
        self.r = random.Random(seed)
        self.streets = list(streets)
        self.wards = list(wards)
        self.single_given = list(GIVEN)
        self.place_names = {norm(n).strip() for n in (*streets, *wards)}
        # single given names must not fold to a word of any look-alike or filler ("Nga" ~ "ngã tư", "Đạt" ~
        # "Đất đai"), or the search could not tell a leaked name from a kept look-alike in the same row
        vocab = {w for n in (*streets, *wards, *FILLERS, *NOTES) for w in norm(n).split()}
        for _ in range(400):
            vocab.update(norm(_look(self)[1]).split())
        self.single_given = [g for g in GIVEN if fold(g) not in vocab]
        self.r = random.Random(seed)
        self.used_numbers: set[str] = set()

    def pick(self, seq):  # noqa: ANN001, ANN201
        return seq[self.r.randrange(len(seq))]

    def digits(self, n: int, first: str = "123456789") -> str:
        while True:
            s = self.pick(first) + "".join(self.pick("0123456789") for _ in range(n - 1))
            if s not in self.used_numbers:
                self.used_numbers.add(s)
                return s

    def full_name(self) -> tuple[str, str]:
        """(full name, the part that identifies: middle + given)."""
        while True:  # "Xuân Hoa" would fold to the ward "Xuân Hòa": the search could not tell them apart
            f, m, g = self.pick(FAMILY), self.pick(MIDDLE), self.pick(GIVEN)
            if norm(f"{m} {g}").strip() not in self.place_names:
                return f"{f} {m} {g}", f"{m} {g}"

    def style(self, s: str, how: str) -> str:
        if how == "lower":
            return s.lower()
        if how == "upper":
            return s.upper()
        if how == "plain":
            return fold(s).title() if s[:1].isupper() else fold(s)
        return s


# -- planted kinds: each returns (phrase, kind, [secret patterns]) -------------------------------------------------
def _name(g: _Gen) -> tuple[str, str, list]:
    full, ident = g.full_name()
    how = g.pick(["cap", "cap", "lower", "upper", "plain"])
    templates = {
        "cap": [
            "tôi là {n}",
            "Tên: {n}",
            "Họ tên {n}",
            "Hộ {n} phản ánh",
            "{n} phản ánh",
            "gia đình {n}",
            "nhà ông {n}",
            "bà {n} cho biết",
            "liên hệ anh {n}",
            "chị {n} bức xúc",
            "theo ông {n} (tổ trưởng)",
            "cụ {n}, 82 tuổi,",
            "My name is {n}",
        ],
        "lower": ["tôi là {n}", "tên tôi là {n}", "người phản ánh {n}", "họ tên: {n}"],
        "upper": ["ÔNG {n} PHẢN ÁNH", "HỘ {n}", "TÔI LÀ {n}", "bà {n}"],
        "plain": ["Toi la {n}", "Ho {n} phan anh", "ong {n}", "nha ba {n}"],
    }[how]
    name = g.style(full, how)
    phrase = g.pick(templates).format(n=name)
    if how == "plain":
        phrase = fold(phrase)
    return phrase, "name", [_words_pattern(ident)]


def _name_single(g: _Gen) -> tuple[str, str, list]:
    given = g.pick(g.single_given)
    t = g.pick(["cô giáo {n}", "thầy giáo {n}", "bé {n} 7 tuổi", "chú {n} bảo vệ", "em {n} học lớp 5", "bác {n}"])
    return t.format(n=given), "name", [_words_pattern(given)]


def _kinship(g: _Gen) -> list[tuple[str, str, list]]:
    full, ident = g.full_name()
    child = f"{g.pick(MIDDLE[2:])} {g.pick(GIVEN)}"
    phrase = g.pick(["con của anh {a} là {b}", "vợ của ông {a} là {b}", "cháu của bà {a} là {b}"]).format(
        a=full, b=child
    )
    return [(phrase, "name", [_words_pattern(ident)]), ("", "name", [_words_pattern(child)])]


def _house(g: _Gen) -> tuple[str, str, list]:
    st = g.pick(g.streets)
    n = str(g.r.randint(2, 420))
    a, b = str(g.r.randint(10, 500)), str(g.r.randint(2, 60))
    forms = [
        (f"nhà số {n} đường {st}, tổ {g.r.randint(1, 20)}, khu phố {g.r.randint(1, 9)}", n),
        (f"trước nhà {n} {st}", n),
        (f"số nhà {n}{g.pick(['', 'A', 'B'])} {st}", n),
        (f"số {n} đường {st}", n),
        (f"K{a}/{b} {st}", f"{a}/{b}"),
        (f"kiệt {a}/{b} {st}", f"{a}/{b}"),
        (f"hẻm {a}/{b} đường {st}", f"{a}/{b}"),
        (f"{a}/{b} {st}", f"{a}/{b}"),
        (f"ngõ {a} ngách {b}", f"{a} ngach {b}"),
    ]
    phrase, secret = g.pick(forms)
    if "ngach" in secret:
        pats = [re.compile(rf"(?<!\d){a}(?!\d).{{0,12}}(?<!\d){b}(?!\d)")]
    elif "/" in secret:
        pats = [_chars_pattern(secret)]
    else:
        pats = [re.compile(rf"(?<![0-9a-z]){n}[a-z]?\s+(?:[a-z]+\s+){{0,2}}{norm(st).strip()}")]  # not "KP8"
    return phrase, "house_number", pats


def _plate(g: _Gen) -> tuple[str, str, list]:
    prov = str(g.r.randint(11, 99))
    d3, d2 = g.digits(3), str(g.r.randint(10, 99))
    car = g.pick("ABCDEFGHKLMNPSTUVXYZ")
    forms = [
        f"{prov}{car}-{d3}.{d2}",
        f"{prov}{car} {d3}.{d2}",
        f"{prov}{car}{d3}{d2}",
        f"{prov}{car}{g.r.randint(1, 9)}-{d3}.{d2}",
        f"{prov}-{car}{g.r.randint(1, 9)} {d3}.{d2}",
        f"{prov}{car}{g.r.randint(1, 9)} {d3}{d2}",
        f"{prov}{car.lower()}-{d3}.{d2}",
    ]
    plate = g.pick(forms)
    phrase = g.pick(["xe biển số {p}", "ô tô {p} đậu chắn lối", "xe máy BKS {p}", "biển kiểm soát {p}", "xe {p}"])
    return phrase.format(p=plate), "plate", [_chars_pattern(plate)]


def _dob(g: _Gen) -> tuple[str, str, list]:
    y = str(g.r.randint(1940, 2008))
    d, m = g.r.randint(1, 28), g.r.randint(1, 12)
    forms = [
        (f"sinh ngày {d:02d}/{m:02d}/{y}", f"{d:02d}{m:02d}{y}"),
        (f"sinh ngày {d}/{m}/{y}", f"{d}{m}{y}"),
        (f"SN {y}", y),
        (f"sinh năm {y}", y),
        (f"năm sinh: {y}", y),
        (f"ngày sinh {d:02d}-{m:02d}-{y}", f"{d:02d}{m:02d}{y}"),
        (f"ns {d}.{m}.{y}", f"{d}{m}{y}"),
    ]
    phrase, secret = g.pick(forms)
    return phrase, "birth_date", [re.compile(rf"(?<!\d){secret}(?!\d)")]


def _bank(g: _Gen) -> tuple[str, str, list]:
    acc = g.digits(g.r.randint(8, 16))
    shown = acc if g.r.random() < 0.6 else " ".join(acc[i : i + 4] for i in range(0, len(acc), 4))
    t = g.pick(["STK {a}", "số tài khoản {a} Vietcombank", "TK: {a}", "chuyển khoản vào {a}", "tài khoản {a} (BIDV)"])
    return t.format(a=shown), "bank_account", [_chars_pattern(acc)]


def _landline(g: _Gen) -> tuple[str, str, list]:
    sub = g.digits(8, "23456789")
    shown = g.pick([sub, f"{sub[:4]} {sub[4:]}", f"{sub[:4]}.{sub[4:]}", f"0251 {sub[:4]} {sub[4:]}"])
    t = g.pick(["ĐT nhà {p}", "số bàn {p}", "điện thoại {p}", "gọi {p}"])
    return t.format(p=shown), "landline", [_chars_pattern(sub, bounded=False)]


def _email(g: _Gen) -> tuple[str, str, list]:
    full, _ = g.full_name()
    parts = fold(full).split()
    local = g.pick([f"{parts[0]}{parts[2]}{g.r.randint(10, 99)}", f"{parts[2]}.{parts[0]}", f"{parts[1]}{parts[2]}.vn"])
    dom = g.pick(["gmail.com", "yahoo.com.vn", "outlook.com", "ubnd.gov.vn"])
    shown = g.pick([f"{local}@{dom}", f"{local}＠{dom}", f"{local} @ {dom}", f"{local.upper()}@{dom.upper()}"])
    t = g.pick(["email {e}", "mail: {e}", "gửi về {e}", "{e}"])
    return t.format(e=shown), "email", [_chars_pattern(local)]


def _mobile(g: _Gen) -> tuple[str, str, list]:
    nine = g.pick("35789") + g.digits(8)
    num = "0" + nine
    shown = g.pick(
        [
            num,
            f"{num[:4]} {num[4:7]} {num[7:]}",
            f"{num[:4]}.{num[4:7]}.{num[7:]}",
            f"+84 {nine[:3]} {nine[3:6]} {nine[6:]}",
            f"+84{nine}",
            "".join(chr(ord(c) + 0xFEE0) for c in num),  # full-width digits
        ]
    )
    t = g.pick(["sđt{p}", "SĐT: {p}", "liên hệ {p}", "gọi {p} nhé", "zalo {p}", "đt{p}"])
    return t.format(p=shown), "mobile", [_chars_pattern(nine, bounded=False)]


def _cccd(g: _Gen) -> tuple[str, str, list]:
    n = "0" + g.digits(11)
    shown = g.pick([n, f"{n[:4]} {n[4:8]} {n[8:]}", n])
    t = g.pick(["CCCD {c}", "căn cước {c}", "số định danh {c}", "CCCD số: {c}", "mang theo {c}"])
    return t.format(c=shown), "cccd", [_chars_pattern(n)]


def _cmnd(g: _Gen) -> tuple[str, str, list]:
    n = g.digits(9, "12345678")
    t = g.pick(["CMND {c}", "CMND số {c}", "chứng minh nhân dân {c}", "số CMT {c}"])
    return t.format(c=n), "cmnd", [_chars_pattern(n)]


def _passport(g: _Gen) -> tuple[str, str, list]:
    n = g.pick("BCN") + g.digits(7)
    t = g.pick(["hộ chiếu {c}", "hộ chiếu số {c}", "passport {c}", "HC: {c}", "người nước ngoài, {c}"])
    return t.format(c=n), "passport", [_chars_pattern(n)]


def _social(g: _Gen) -> tuple[str, str, list]:
    full, ident = g.full_name()
    parts = fold(full).split()
    handle = g.pick([f"{parts[2]}.{parts[0]}.{g.r.randint(80, 99)}", f"{parts[1]}{parts[2]}_{g.r.randint(1, 99)}"])
    forms = [
        (f"facebook.com/{handle}", handle),
        (f"fb: {handle}", handle),
        (f"zalo {handle}", handle),
        (f"@{handle}", handle),
        (f"tiktok @{handle}", handle),
        (f"nick {handle}", handle),
    ]
    phrase, secret = g.pick(forms)
    return phrase, "social_handle", [_chars_pattern(secret)]


PII_KINDS: list[tuple[Callable, int]] = [
    (_name, 10),
    (_name_single, 3),
    (_house, 6),
    (_plate, 4),
    (_dob, 4),
    (_bank, 3),
    (_landline, 3),
    (_email, 3),
    (_mobile, 5),
    (_cccd, 3),
    (_cmnd, 2),
    (_passport, 2),
    (_social, 3),
]


# -- look-alikes ----------------------------------------------------------------------------------------------------
def _look(g: _Gen) -> tuple[str, str]:
    st, st2, ward = g.pick(g.streets), g.pick(g.streets), g.pick(g.wards)
    y = g.r.randint(2019, 2026)
    kind, text = g.pick(
        [
            ("street", f"đường {st}"),
            ("street", f"ngã tư {st} - {st2}"),
            ("street", f"tuyến {st}"),
            ("street", f"đường {st.lower()}"),
            ("ward", f"phường {ward}"),
            ("ward", f"UBND phường {ward}"),
            ("ward", f"khu vực {ward}"),
            ("report_no", f"phản ánh số PA-{y}-{g.r.randint(100, 99999):05d}"),
            ("report_no", f"mã hồ sơ {g.r.randint(100, 9999)}/PA"),
            ("incident_date", f"ngày {g.r.randint(1, 28)}/{g.r.randint(1, 12)}/{y}"),
            ("incident_date", f"hôm {g.r.randint(1, 28):02d}/{g.r.randint(1, 12):02d}"),
            ("legal", f"Điều {g.r.randint(2, 60)} Nghị định 100/2019/NĐ-CP"),
            ("legal", f"khoản {g.r.randint(1, 9)} Điều {g.r.randint(2, 60)} Luật Đất đai"),
            ("legal", f"Quyết định {g.r.randint(100, 9999)}/QĐ-UBND"),
            ("legal", f"Thông tư {g.r.randint(1, 40):02d}/{y}/TT-BTNMT"),
            ("amount", "phạt " + f"{g.r.randint(1, 40) * 250_000:,}".replace(",", ".") + " đồng"),
            ("amount", f"thiệt hại {g.r.randint(10, 99)}.{g.r.randint(100, 999)}.000 đồng"),
            ("amount", f"khoảng {g.r.randint(2, 90)} triệu đồng"),
            ("time", f"lúc {g.r.randint(0, 23)}:{g.r.randint(0, 59):02d}"),
            ("time", f"khoảng {g.r.randint(5, 23)}h{g.r.randint(10, 59)}"),
            ("distance", f"cách {g.r.randint(2, 90) * 10} m"),
            ("distance", f"dài {g.r.randint(1, 9)},{g.r.randint(1, 9)} km"),
            ("distance", f"Km {g.r.randint(1, 99)}+{g.r.randint(100, 999)} quốc lộ 1A"),
            ("count", f"hơn {g.r.randint(3, 60)} hộ dân"),
            ("hotline", "đường dây nóng 1022"),
        ]
    )
    return kind, text


FILLERS = [
    "Rác thải tồn đọng nhiều ngày",
    "Lấn chiếm vỉa hè buôn bán",
    "Đèn đường không sáng",
    "Nắp cống bị vỡ",
    "Đổ vật liệu xây dựng ra lòng đường",
    "Ổ gà lớn giữa đường",
    "Xây dựng không phép",
    "Đề nghị cơ quan chức năng xử lý",
    "Người dân rất bức xúc",
    "Nước thải chảy tràn ra đường",
]
NOTES = ["Đã tiếp nhận", "Đã chuyển đơn vị xử lý", "Đang kiểm tra hiện trường", "Đã xử lý xong"]


def generate(seed: int, n_rows: int, streets: Sequence[str], wards: Sequence[str], start_id: int = 1) -> Corpus:
    """n_rows field-report dicts (text columns and reporter columns only) with everything planted recorded."""
    g = _Gen(seed, streets, wards)
    kinds = [k for k, w in PII_KINDS for _ in range(w)]
    corpus = Corpus(rows=[])
    for i in range(n_rows):
        row: dict[str, str] = {}
        for fld, n_pii, n_look, base in (
            ("description", 4, 2, FILLERS),
            ("status_notes", 2, 1, NOTES),
        ):
            parts = [g.pick(base)]
            for _ in range(n_pii):
                made = g.pick(kinds)(g)
                items = made if isinstance(made, list) else [made]
                parts.append(items[0][0])
                for phrase, kind, pats in items:
                    corpus.planted.append(Planted(kind, fld, i, phrase or items[0][0], pats))
            for _ in range(n_look):
                kind, text = _look(g)
                parts.append(text)
                corpus.lookalikes.append(LookAlike(kind, fld, i, text, _words_pattern(text)))
            g.r.shuffle(parts)
            row[fld] = ", ".join(parts) + "."
        # address column: house/alley numbers next to a street and ward that must stay
        phrase, kind, pats = _house(g)
        ward = g.pick(g.wards)
        tail = g.pick([f", phường {ward}", f", P. {ward}", f", khu phố {g.r.randint(1, 9)}, phường {ward}"])
        row["address"] = g.pick(["", f"Tổ {g.r.randint(1, 20)}, KP{g.r.randint(1, 9)}, "]) + phrase + tail
        corpus.planted.append(Planted(kind, "address", i, phrase, pats))
        corpus.lookalikes.append(LookAlike("ward", "address", i, ward, _words_pattern(ward)))
        # reporter columns (must be dropped whole)
        full, ident = g.full_name()
        row["reporter_name"] = full
        corpus.planted.append(Planted("name", "reporter_name", i, full, [_words_pattern(ident)]))
        nine = g.pick("35789") + g.digits(8)
        row["reporter_phone"] = "0" + nine
        corpus.planted.append(Planted("mobile", "reporter_phone", i, "0" + nine, [_chars_pattern(nine, bounded=False)]))
        local = f"{fold(ident).replace(' ', '')}{g.r.randint(100, 999)}"
        row["reporter_email"] = f"{local}@gmail.com"
        corpus.planted.append(Planted("email", "reporter_email", i, row["reporter_email"], [_chars_pattern(local)]))
        row["report_id"] = f"CP-{start_id + i:06d}"
        corpus.rows.append(row)
    return corpus


def measure(corpus: Corpus, row_texts: dict[str, list[str]], whole_texts: Iterable[str] = ()) -> Measurement:
    """row_texts: output name → normalised text of each exported row, in corpus order; whole_texts: other outputs
    (metadata) searched whole for every structured secret."""
    planted, leaked, lost = Counter(), Counter(), Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    wholes = [norm(t) for t in whole_texts]
    for p in corpus.planted:
        planted[p.kind] += 1
        hit = ""
        for out, rows in row_texts.items():
            if any(pat.search(rows[p.row]) for pat in p.patterns):
                hit = out
                break
        if not hit and p.kind in STRUCTURED_KINDS:
            hit = next(("metadata" for w in wholes if any(pat.search(w) for pat in p.patterns)), "")
        if hit:
            leaked[p.kind] += 1
            if len(examples[p.kind]) < 6:
                examples[p.kind].append(f"{p.field}: {p.text!r} ({hit})")
    for lk in corpus.lookalikes:
        for out, rows in row_texts.items():
            if not lk.pattern.search(rows[lk.row]):
                lost[lk.kind] += 1
                if len(examples["lost:" + lk.kind]) < 6:
                    examples["lost:" + lk.kind].append(f"{lk.field}: {lk.text!r} ({out}: {rows[lk.row][:160]})")
                break
    return Measurement(planted, leaked, len(corpus.lookalikes), lost, dict(examples))
