"""Fill ioc_qgis_plugin/i18n/ioc_vi.ts from the reviewed dictionary ioc_qgis_plugin/i18n/vi.json.

pylupdate5 extracts the English source strings; this writes the Vietnamese for each one the dictionary knows and
lists the ones still missing (they stay 'unfinished', so Qt shows the English text).
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

I18N = Path(__file__).resolve().parents[1] / "ioc_qgis_plugin" / "i18n"


def main() -> int:
    ts_path = I18N / "ioc_vi.ts"
    words: dict[str, str] = json.loads((I18N / "vi.json").read_text(encoding="utf-8"))
    tree = ET.parse(ts_path)
    root = tree.getroot()
    root.set("language", "vi_VN")
    missing = set()
    done = 0
    for message in root.iter("message"):
        source = message.findtext("source") or ""
        tr = message.find("translation")
        if tr is None:
            tr = ET.SubElement(message, "translation")
        if source in words and words[source]:
            tr.text = words[source]
            tr.attrib.pop("type", None)
            done += 1
        else:
            missing.add(source)
            tr.set("type", "unfinished")
    tree.write(ts_path, encoding="utf-8", xml_declaration=True)
    print(f"{done} translated, {len(missing)} missing")
    for s in sorted(missing)[:50]:
        print("  missing:", s[:100].replace("\n", " "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
