"""TALQ street-light attributes as the store keeps them: the one list the connector, the state rules and the
analytics share (kept free of any I/O module, so the light analytics run where `requests` is missing)."""

from __future__ import annotations

# TALQ attribute → (store column, unit kind). Order is the order of the value arrays.
TALQ_FIELDS: dict[str, tuple[str, str]] = {
    "actualLightState": ("light_level", "percent"),
    "activePower": ("active_power_w", "power"),
    "activeEnergy": ("active_energy_kwh", "energy"),
    "operatingHours": ("operating_hours", "hours"),
    "lampFailure": ("lamp_failure", "bool"),
    "dimmingFailure": ("dimming_failure", "bool"),
    "relayFailure": ("relay_failure", "bool"),
    "supplyLoss": ("supply_loss", "bool"),
    "cabinetDoorOpen": ("cabinet_door_open", "bool"),
}
FIELD_NAMES: tuple[str, ...] = tuple(TALQ_FIELDS)
