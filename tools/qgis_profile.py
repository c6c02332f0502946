"""A throwaway QGIS profile with the staged plugin deployed and enabled (used by smoke and demo)."""

from __future__ import annotations

import shutil
from pathlib import Path


def make_profile(root: Path, plugin_dir: Path, locale: str = "", settings: dict | None = None) -> Path:
    profile = root / "profiles" / "default"
    plugins = profile / "python" / "plugins"
    if plugins.exists():
        shutil.rmtree(plugins)
    plugins.mkdir(parents=True)
    shutil.copytree(plugin_dir, plugins / plugin_dir.name)
    ini = profile / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "[PythonPlugins]",
        f"{plugin_dir.name}=true",
        "",
        "[Qgis]",
        "checkVersion=false",
        "showTips322=false",
        "newProjectDefault=false",
        "",
        "[qgis]",
        "checkVersion=false",
        "allowVersionCheck=false",
        "showTips=false",
    ]
    if locale:
        lines += ["", "[locale]", "overrideFlag=true", f"userLocale={locale}", f"globalLocale={locale}"]
    for section, values in (settings or {}).items():
        lines += ["", f"[{section}]"] + [f"{k}={v}" for k, v in values.items()]
    ini.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def desktop_command(profiles: Path, headless: bool, screen: str = "1600x1000") -> list[str]:
    """The QGIS desktop with a profile folder and the IOC startup script (under Xvfb when headless)."""
    cmd = [
        "qgis.bin",
        "--profiles-path",
        str(profiles),
        "--noversioncheck",
        "--nologo",
        "--code",
        str(Path(__file__).resolve().parent / "qgis_startup.py"),
    ]
    return ["xvfb-run", "-a", "-s", f"-screen 0 {screen}x24", *cmd] if headless else cmd
