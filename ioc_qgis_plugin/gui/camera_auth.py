"""Camera credentials from QGIS's auth manager, resolved only when a stream is opened.

The camera layer stores an authcfg id; the user name and password stay in the encrypted auth database and live
only in the connect URL handed to the reader (never in a label, a log line or the project).
"""

from __future__ import annotations

from qgis.core import QgsApplication, QgsAuthMethodConfig

from ..connectors.cameras import with_credentials


class CredentialError(RuntimeError):
    """The authcfg could not be resolved (missing, or the auth database is locked); message is safe to show."""


def resolve_credentials(authcfg: str) -> tuple[str, str]:
    """(user, password) for an authcfg id of a Basic-type config; ("", "") when the camera has none."""
    if not authcfg:
        return "", ""
    manager = QgsApplication.authManager()
    if manager is None or manager.isDisabled():
        raise CredentialError("QGIS authentication manager is not available")
    cfg = QgsAuthMethodConfig()
    if not manager.loadAuthenticationConfig(authcfg, cfg, True) or not cfg.isValid(True):
        raise CredentialError(f"authentication config '{authcfg}' not found or the auth database is locked")
    return cfg.config("username", ""), cfg.config("password", "")


def connect_url(url: str, authcfg: str) -> str:
    """The stream URL with credentials inserted; call right before opening, never store the result."""
    user, password = resolve_credentials(authcfg)
    return with_credentials(url, user, password) if user else url


def store_basic_credentials(name: str, user: str, password: str, existing: str = "") -> str:
    """Store user/password as a Basic config in the auth manager (updating `existing` when it is one); its id."""
    manager = QgsApplication.authManager()
    if manager is None or manager.isDisabled():
        raise CredentialError("QGIS authentication manager is not available")
    cfg = QgsAuthMethodConfig()
    if existing and manager.loadAuthenticationConfig(existing, cfg, True) and cfg.method() == "Basic":
        cfg.setConfig("username", user)
        cfg.setConfig("password", password)
        if manager.updateAuthenticationConfig(cfg):
            return cfg.id()
    cfg = QgsAuthMethodConfig("Basic")
    cfg.setName(name)
    cfg.setConfig("username", user)
    cfg.setConfig("password", password)
    ok = manager.storeAuthenticationConfig(cfg)
    if not (ok[0] if isinstance(ok, tuple) else ok):
        raise CredentialError("the auth database refused the credentials (is the master password set?)")
    return cfg.id()
