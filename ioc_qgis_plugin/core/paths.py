"""Where the plugin's data folders are, in the source tree and in an installed plugin."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def data_dir(name: str) -> Path:
    """`layers` or `processing_scripts`: inside the installed plugin, or next to the package in a checkout."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"IOC data folder '{name}' not found near {PACKAGE_DIR}")


def layers_dir() -> Path:
    return data_dir("layers")


def styles_dir() -> Path:
    return layers_dir() / "styles"
