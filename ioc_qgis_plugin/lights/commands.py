"""Who may send dim/switch commands, and what a valid command looks like (no qgis; the GUI logs each one)."""

from __future__ import annotations

from typing import Any

COMMAND_ROLES = frozenset({"operator", "lights_operator", "admin"})


def can_command(role: str) -> bool:
    return (role or "").strip().lower() in COMMAND_ROLES


def command_parameters(command: str, level: float | None = None) -> dict[str, Any]:
    """{"command": "dim", "level": 0..100} or {"command": "switch", "on": bool}; ValueError otherwise."""
    if command == "dim":
        if level is None or not 0 <= float(level) <= 100:
            raise ValueError("dim needs a level between 0 and 100 %")
        return {"command": "dim", "level": float(level)}
    if command in ("on", "off"):
        return {"command": "switch", "on": command == "on"}
    raise ValueError(f"unknown command {command!r}; use dim, on or off")
