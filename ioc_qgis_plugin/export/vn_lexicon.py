"""Word lists the scrubber needs to read Vietnamese free text: family names, middle names, place nouns.

All entries are folded (lower case, no diacritics, đ → d) so that text without diacritics or in capitals matches.
Vietnamese family names are a closed class: the ~100 below cover virtually the whole population, which is what
lets the scrubber find names that have no cue word in front of them.
"""

from __future__ import annotations

import unicodedata

_FOLD_CACHE: dict[str, str] = {}


def fold_char(ch: str) -> str:
    """One character → its base letter in lower case (same length, so folded text keeps the original indices)."""
    f = _FOLD_CACHE.get(ch)
    if f is None:
        if ch in "đĐ":
            f = "d"
        else:
            base = unicodedata.normalize("NFD", ch)[:1] or ch
            f = base.lower()
            if len(f) != 1:
                f = ch
        _FOLD_CACHE[ch] = f
    return f


def _fold_table() -> dict[int, str]:
    """fold_char of every Latin letter Vietnamese text uses (Latin-1, Extended-A/B, Extended Additional)."""
    chars = (chr(i) for r in ((0x41, 0x5B), (0xC0, 0x250), (0x1E00, 0x1F00)) for i in range(*r))
    return {ord(c): f for c in chars if (f := fold_char(c)) != c}


_FOLD_TABLE = _fold_table()


def fold(text: str) -> str:
    if text.isascii():
        return text.lower()  # what fold_char does to each ASCII character
    folded = text.translate(_FOLD_TABLE)
    # all ASCII now: every other character was a Latin letter the table folds exactly as fold_char does
    return folded if folded.isascii() else "".join(fold_char(c) for c in text)


_FAMILY = (
    """Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Đào Cao Lâm Mai Trương
    Lương Tạ Quách Tô Châu Trịnh Hà Thái Lưu Tăng Từ Diệp Kiều Thân Triệu Khổng Văn Ông Phùng Chu Đoàn Vương Mạc
    Lục Hứa Tôn Nghiêm Thạch La Âu Kha Đàm Giang Khúc Lã Nông Quan Vi Lò Doãn Hầu Cù Mẫn Lai Bạch Đồng Hàn Khương
    Tiêu Ninh Lạc Liêu Phương Trà Ung Viên Yên Ôn Công Thiều Mã"""
).split()
FAMILY_NAMES = frozenset(fold(w) for w in _FAMILY)
FAMILY_EXACT = frozenset(w.lower() for w in _FAMILY)
# Middle names: a family name followed by one of these (even in lower case) is a person, not a word.
_MIDDLE = (
    """Văn Thị Hữu Đức Minh Ngọc Thanh Quốc Công Xuân Hoàng Kim Thu Mỹ Bảo Gia Trọng Đình Quang Tuấn Phương
    Hồng Thùy Thúy Khánh Như Ánh Tấn Thành Duy Hải Nhật Bích Diệu Huy Việt Tiến Phúc Thế Mạnh Hoài Thảo Trung
    Anh Tường Quý Ngân Hà Tú Cẩm Lệ Uyên Chí Bá Trí Đăng"""
).split()
MIDDLE_NAMES = frozenset(fold(w) for w in _MIDDLE)
MIDDLE_EXACT = frozenset(w.lower() for w in _MIDDLE)


def is_family_name(word: str) -> bool:
    """With diacritics the word must match exactly ("là" is not "La"); without, any family name it folds to."""
    lw = word.lower()
    return fold(lw) in FAMILY_NAMES if lw.isascii() else lw in FAMILY_EXACT


def is_middle_name(word: str) -> bool:
    lw = word.lower()
    return fold(lw) in MIDDLE_NAMES if lw.isascii() else lw in MIDDLE_EXACT


# Nouns that make the capitalised words after them a place, an institution or a document, not a person.
PLACE_NOUNS = frozenset(
    fold(w)
    for w in """đường phố phường xã quận huyện tỉnh tp thành hẻm kiệt ngõ ngách chợ cầu trường thcs thpt mầm mẫu
    viện khu ấp thôn khóm kp tổ p q đ quảng bến ga vòng ngã giao góc nút tuyến đoạn hướng chung cổng đình chùa
    nhà_thờ đền tượng lăng trạm công_viên bệnh_viện ubnd hđnd công_an đội phòng ban sở trung_tâm tòa tháp hồ sông
    suối kênh rạch núi đồi đảo hợp_tác doanh_nghiệp siêu_thị khách_sạn quán tiệm cửa_hàng nghị_định luật
    quyết_định thông_tư điều khoản mục chương giáo_xứ họ_đạo lò xóm""".replace("_", " ").split()
)
# Words that end a name run even when capitalised (sentence starts, institutions, categories). Compared in
# lower case with diacritics: folded, "Họ" (they) would also stop the family name "Hồ".
NOT_NAME_WORDS = frozenset(
    w.lower()
    for w in """Phường Xã Quận Huyện Tỉnh Đường Phố Tổ Khu Ấp Thôn UBND Đội Phòng Ban Sở Kiệt Hẻm Ngõ Trường Chợ Cầu
    Bệnh Nhà Số KP Điều Khoản Nghị Luật Quyết Đề Xin Kính Gửi Tại Hôm Sáng Chiều Tối Ngày Đêm Lúc Khoảng Người
    Dân Rất Đã Đang Sẽ Không Có Chưa Và Nhưng Vì Nên Trạng Việc Lượng Cơ Địa Camera Đèn Rác Nước Cây Xe Ô Tô
    Tôi Mình Chúng Họ Con Cháu Vợ Chồng Liên Hệ Gọi SĐT ĐT Email Zalo Facebook Phản Ánh Ở Sống Báo PA Mã
    Sau Cạnh Gần Đối Diện Cuối Đầu Giữa Trong Ngoài Theo Tuy Cụ Bé Chị Ông Bà Cô Chú Bác Tuổi""".split()
)
# Streets named after national figures exist in almost every Vietnamese city; the store's own gazetteer adds the
# city's real street and ward names on top of these.
COMMON_STREETS = (
    "Nguyễn Trãi",
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Nguyễn Huệ",
    "Quang Trung",
    "Lê Duẩn",
    "Hùng Vương",
    "Trần Phú",
    "Nguyễn Du",
    "Phan Chu Trinh",
    "Phan Bội Châu",
    "Võ Thị Sáu",
    "Nguyễn Thị Minh Khai",
    "Ngô Quyền",
    "Lê Thánh Tông",
    "Nguyễn Văn Cừ",
    "Nguyễn Văn Linh",
    "Hoàng Diệu",
    "Đinh Tiên Hoàng",
    "Trần Quốc Toản",
    "Bà Triệu",
    "Lê Hồng Phong",
    "Nguyễn Đình Chiểu",
    "Nguyễn Thái Học",
    "Tôn Đức Thắng",
    "Võ Văn Kiệt",
    "Phạm Văn Đồng",
    "Lê Quý Đôn",
    "Trần Quang Khải",
    "Nguyễn Tri Phương",
    "Lê Văn Sỹ",
    "Hoàng Văn Thụ",
    "Nguyễn Chí Thanh",
    "Võ Nguyên Giáp",
    "Điện Biên Phủ",
    "Cách Mạng Tháng Tám",
)
