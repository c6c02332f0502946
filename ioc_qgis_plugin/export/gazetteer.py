"""The city's street and ward names, read from the store, so that the scrubber keeps "đường Nguyễn Trãi".

Sources are official, not citizen-written: ward and province names (wards.name, wards.province), the street
part of cadastral addresses (parcels.address) and an optional list a data officer keeps in ioc_meta under
`export.gazetteer` (JSON list of names). Report addresses are deliberately not used: a citizen writing
"nhà ông Lê Văn Tám" into the address would otherwise put a person's name on the list of things never to remove.
"""

from __future__ import annotations

import json
import re
from typing import Any

META_KEY = "export.gazetteer"
_ADMIN_PREFIX = re.compile(r"^(?:phường|xã|thị trấn|quận|huyện|thành phố|tp\.?|p\.|x\.)\s+", re.IGNORECASE)
_STREET_PREFIX = re.compile(r"^(?:đường|phố|đại lộ|quốc lộ|tỉnh lộ)\s+", re.IGNORECASE)
_NUMBERS = re.compile(r"^[\s,]*(?:(?:số|nhà|kiệt|hẻm|ngõ|ngách)\s*)*[\dA-Za-z]*\d[\w/\-]*[\s,]*", re.IGNORECASE)


def _street_of(address: str) -> str:
    """'12/3 đường Lê Lợi, phường X' → 'Lê Lợi' (first comma part without numbers and prefixes)."""
    first = address.split(",")[0]
    first = _NUMBERS.sub("", first).strip()
    return _STREET_PREFIX.sub("", first).strip()


def store_gazetteer(store: Any) -> list[str]:  # noqa: ANN401 - IocStore
    names: set[str] = set()
    tables = {t.name for t in store.schema.tables}
    if "wards" in tables:
        for n in store.distinct("wards", "name"):
            if isinstance(n, str) and n.strip():
                names.add(n.strip())
                names.add(_ADMIN_PREFIX.sub("", n.strip()))
        for n in store.distinct("wards", "province"):  # "Đồng Nai" starts with a family name too
            if isinstance(n, str) and n.strip():
                names.add(_ADMIN_PREFIX.sub("", re.sub(r"^tỉnh\s+", "", n.strip(), flags=re.IGNORECASE)))
    if "parcels" in tables:
        for a in store.distinct("parcels", "address"):
            if isinstance(a, str) and a.strip():
                s = _street_of(a)
                if len(s) >= 3 and not any(ch.isdigit() for ch in s):
                    names.add(s)
    extra = store.get_meta(META_KEY)
    if extra:
        try:
            data = json.loads(extra)
        except ValueError:
            data = []
        names.update(str(n).strip() for n in data if str(n).strip())
    return sorted(n for n in names if len(n) >= 3)
