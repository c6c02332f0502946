"""One meaning of "search" everywhere (panel table, map filter, locator, PostGIS): case- and diacritic-insensitive,
literal substring match — "nguyen trai" finds "NGUYỄN TRÃI", and `%` or `_` are just characters.

`fold()` does it in Python; `fold_sql()` renders the same folding as an SQL expression for SQLite (GeoPackage:
nested replace(), since QGIS's OGR connection has no function of ours) or PostgreSQL (translate(), no extension
needed), and `contains_sql()` the literal LIKE. The folded alphabet is Vietnamese's: every precomposed vowel with
its tone and vowel marks in both cases, đ/Đ, and the combining marks of decomposed (NFD) text.
"""

from __future__ import annotations

import unicodedata

# Combining marks Vietnamese text uses when it arrives decomposed: grave, acute, tilde, hook above, dot below,
# circumflex, breve, horn.
_COMBINING = "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"
_COMBINING_RANGE = "\u0300-\u036f"  # GLOB class range: any combining diacritical mark


def _alphabet() -> dict[str, str]:
    """Precomposed Vietnamese letter → its plain lower-case ASCII letter."""
    table: dict[str, str] = {"đ": "d", "Đ": "d"}
    for base in "aeiouy":
        for vowel_mark in ("", "\u0302", "\u0306", "\u031b"):
            for tone in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"):
                for letter in (base, base.upper()):
                    composed = unicodedata.normalize("NFC", letter + vowel_mark + tone)
                    if len(composed) == 1 and composed != letter:
                        table[composed] = base
    return table


FOLDED = _alphabet()
_TRANSLATE = {ord(k): v for k, v in FOLDED.items()} | {ord(c): None for c in _COMBINING}


def fold(text: object) -> str:
    """Lower case without Vietnamese diacritics (NFC or NFD input)."""
    if text is None:
        return ""
    return unicodedata.normalize("NFC", str(text)).translate(_TRANSLATE).lower()


_VARIANTS: dict[str, str] = {}
for _ch, _plain in FOLDED.items():
    _VARIANTS[_plain] = _VARIANTS.get(_plain, _plain + _plain.upper()) + _ch


def _strip_combining_sql(expr: str) -> str:
    for ch in _COMBINING:  # decomposed (NFD) text: drop the marks, as fold() does
        expr = f"replace({expr}, '{ch}', '')"
    return expr


def fold_sql(column: str) -> str:
    """PostgreSQL expression: the column folded like fold() (for Vietnamese and ASCII text; NULL stays NULL)."""
    source = "".join(FOLDED) + _COMBINING  # characters of translate's `from` beyond `to` are removed
    target = "".join(FOLDED.values())
    return f"lower(translate(\"{column}\", '{source}', '{target}'))"


def like_pattern(needle: str) -> str:
    """%needle% for LIKE … ESCAPE '\\' with the needle folded and taken literally."""
    folded = fold(needle).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "%" + folded + "%"


def glob_pattern(needle: str) -> str:
    """*needle* for SQLite's GLOB: every character of the folded needle becomes the class of all characters that
    fold to it ("a" → [aAáÁàÀ…]); GLOB's own *, ? and [ are taken literally."""
    parts = []
    for ch in fold(needle):
        if ch in _VARIANTS:
            parts.append("[" + _VARIANTS[ch] + "]")
        elif ch in "*?[":
            parts.append("[" + ch + "]")
        elif ch.upper() != ch and len(ch.upper()) == 1:
            parts.append("[" + ch + ch.upper() + "]")
        else:
            parts.append(ch)
    return "*" + "".join(parts) + "*"


def like_skeleton(needle: str) -> str:
    """A fast, looser LIKE prefilter for SQLite: letters that have accented forms become % (one precomposed
    character or a letter plus combining marks), the rest is kept literally (LIKE folds ASCII case itself)."""
    tokens: list[str] = []
    for ch in fold(needle):
        if ch in _VARIANTS:
            if not tokens or tokens[-1] != "%":
                tokens.append("%")
        elif ch in "%_\\":
            tokens.append("\\" + ch)
        else:
            tokens.append(ch)
    while tokens and tokens[0] == "%":  # the pattern is %…% anyway
        tokens.pop(0)
    while tokens and tokens[-1] == "%":
        tokens.pop()
    return "%" + "".join(tokens) + "%" if tokens else "%"


def contains_sql(columns: list[str] | tuple[str, ...], needle: str, dialect: str = "sqlite") -> str:
    """WHERE fragment: any of the columns contains the needle (folded, literal), the needle inlined and quoted
    (for a layer's subset string)."""
    sql, params = contains_where(columns, needle, dialect)
    chunks = sql.split("?")  # the template's only question marks are its placeholders
    quoted = ["'" + str(p).replace("'", "''") + "'" for p in params]
    return chunks[0] + "".join(q + chunk for q, chunk in zip(quoted, chunks[1:]))


def contains_where(columns: list[str] | tuple[str, ...], needle: str, dialect: str = "sqlite") -> tuple[str, list]:
    """(WHERE fragment with ? placeholders, parameters): any of the columns contains the needle, folded, literal.

    SQLite (GeoPackage) has no translate() and a shallow parser stack, so the column is not folded there: the
    needle is expanded into a GLOB pattern that matches every spelling fold() equates with it; a LIKE on the
    needle's skeleton narrows in C first, and decomposed text (combining marks present) is stripped before GLOB.
    """
    parts: list[str] = []
    params: list[str] = []
    if dialect == "postgres":
        for c in columns:
            parts.append(f"{fold_sql(c)} LIKE ? ESCAPE '\\'")
            params.append(like_pattern(needle))
        return "(" + " OR ".join(parts) + ")", params
    pattern, skeleton = glob_pattern(needle), like_skeleton(needle)
    for c in columns:
        q = '"' + c + '"'
        decomposed = f"({q} GLOB '*[{_COMBINING_RANGE}]*' AND {_strip_combining_sql(q)} GLOB ?)"
        parts.append(f"({q} LIKE ? ESCAPE '\\' AND ({q} GLOB ? OR {decomposed}))")
        params += [skeleton, pattern, pattern]
    return "(" + " OR ".join(parts) + ")", params
