"""CKAN action API client and the idempotent, resumable publish of a file package — requests only, no QGIS.

Publishing a package:
  1. package_show by name; a new dataset is created as a *draft* so nothing half-made is public.
  2. Each file becomes a resource named after the file; its sha256 goes into the resource's `hash`. A resource
     whose hash already matches is skipped (re-export = no new upload; an interrupted run resumes where it
     stopped — CKAN does not chunk uploads, so resume is per file).
  3. Before every write the dataset's `metadata_modified` is compared with the last value we saw: someone
     editing the dataset on the portal meanwhile stops the run with a clear message instead of overwriting.
  4. Metadata last (package_patch, state active): the dataset becomes public only when every file is there.
The token is sent in the Authorization header and never logged or put in a message.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import requests

from .package import DatasetInfo, Distribution

log = logging.getLogger("ioc.ckan")


class CkanError(Exception):
    """Base of what the client raises; the message is meant for the data officer."""


class CkanAuthError(CkanError):
    pass


class CkanNotFound(CkanError):
    pass


class CkanValidationError(CkanError):
    pass


class CkanTooLarge(CkanError):
    pass


class CkanServerError(CkanError):
    pass


class CkanUnavailable(CkanError):
    pass


class DatasetChanged(CkanError):
    """The dataset was modified on the portal by someone else during this run."""


class PublishIncomplete(CkanError):
    """Some files were published, some not; says which, and that a re-run resumes."""

    def __init__(self, message: str, done: list[str], remaining: list[str], cause: Exception) -> None:
        super().__init__(message)
        self.done, self.remaining, self.cause = done, remaining, cause


class CkanClient:
    def __init__(
        self,
        url: str,
        token: Optional[str] = None,
        timeout: tuple[float, float] = (5.0, 120.0),
        retries: int = 2,
        backoff: float = 0.5,
        session: Optional[requests.Session] = None,
    ) -> None:
        self.base = url.rstrip("/")
        self._token = token
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", "ioc_qgis_plugin-export")
        self.calls = 0

    def __repr__(self) -> str:  # never show the token
        return f"CkanClient({self.base!r}, token={'set' if self._token else 'none'})"

    def action(
        self,
        name: str,
        data: Optional[dict[str, Any]] = None,
        upload: Optional[Path] = None,
        safe: bool = False,
    ) -> Any:
        """Call one action; `safe` ones (reads) are retried on 5xx and timeouts, writes are not."""
        url = f"{self.base}/api/3/action/{name}"
        headers = {"Authorization": self._token} if self._token else {}
        attempt = 0
        while True:
            attempt += 1
            self.calls += 1
            try:
                if upload is not None:
                    fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in (data or {}).items()}
                    with open(upload, "rb") as fh:
                        resp = self.session.post(
                            url,
                            data=fields,
                            files={"upload": (upload.name, fh)},
                            headers=headers,
                            timeout=self.timeout,
                        )
                elif safe:
                    resp = self.session.get(url, params=data or {}, headers=headers, timeout=self.timeout)
                else:
                    resp = self.session.post(url, json=data or {}, headers=headers, timeout=self.timeout)
            except requests.Timeout as exc:
                if safe and attempt <= self.retries:
                    time.sleep(self.backoff * attempt)
                    continue
                raise CkanUnavailable(
                    f"The portal {self.base} did not answer {name} within {self.timeout[1]:g} s"
                    + ("" if safe else "; it may or may not have applied it")
                ) from exc
            except requests.ConnectionError as exc:
                if safe and attempt <= self.retries:
                    time.sleep(self.backoff * attempt)
                    continue
                raise CkanUnavailable(f"The portal {self.base} cannot be reached ({type(exc).__name__})") from exc
            if resp.status_code >= 500 and safe and attempt <= self.retries:
                time.sleep(self.backoff * attempt)
                continue
            return self._result(name, resp, upload)

    def _result(self, name: str, resp: requests.Response, upload: Optional[Path]) -> Any:
        try:
            body = resp.json()
        except ValueError:
            body = None
        err = body.get("error") if isinstance(body, dict) else None
        detail = ""
        if isinstance(err, dict):
            extra = {k: v for k, v in err.items() if k not in ("__type", "message")}
            detail = f"{err.get('__type', '')}: {err.get('message', '')}" + (f" {extra}" if extra else "")
        code = resp.status_code
        if code == 401:
            raise CkanAuthError(
                f"The portal rejected the API token (HTTP 401 on {name}). Check the token in QGIS's authentication "
                "manager (or $CKAN_API_TOKEN) — it may have expired."
            )
        if code == 403:
            raise CkanAuthError(
                f"The portal refused {name} (HTTP 403 {detail}). The token is missing, expired or its user may not "
                "publish in this organisation."
            )
        if code == 404:
            raise CkanNotFound(f"{name}: not found on the portal ({detail or 'HTTP 404'})")
        if code == 409:
            raise CkanValidationError(f"The portal rejected {name}: {detail or resp.text[:200]}")
        if code == 413:
            size = upload.stat().st_size if upload else 0
            raise CkanTooLarge(
                f"The portal refuses files this large (HTTP 413 for {upload.name if upload else name}, "
                f"{size / 1e6:.1f} MB). Ask the portal administrator to raise the upload limit "
                "(ckan.max_resource_size and the web server's body size) or export a smaller selection."
            )
        if code >= 500:
            raise CkanServerError(f"The portal failed on {name} (HTTP {code}{' ' + detail if detail else ''})")
        if code >= 400 or not isinstance(body, dict) or not body.get("success"):
            raise CkanError(f"The portal answered {name} with HTTP {code}: {detail or resp.text[:200]!r}")
        return body["result"]

    # -- actions used by the exporter -------------------------------------------------------------------------
    def package_show(self, name: str) -> Optional[dict]:
        try:
            return self.action("package_show", {"id": name}, safe=True)
        except CkanNotFound:
            return None


@dataclass
class CkanOutcome:
    url: str
    dataset_id: str
    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    created: bool = False
    message: str = ""


def _package_fields(info: DatasetInfo, dists: Sequence[Distribution], owner_org: Optional[str]) -> dict[str, Any]:
    meta = next((d for d in dists if d.path.name.endswith(".metadata.json")), None)
    extras: list[dict[str, str]] = []
    if meta is not None:
        m = json.loads(meta.path.read_text(encoding="utf-8"))
        temporal = m.get("temporal") or {}
        bbox = (m.get("spatial") or {}).get("bbox")
        extras = [
            {"key": "crs", "value": m.get("crs", "")},
            {"key": "temporal_start", "value": temporal.get("startDate") or ""},
            {"key": "temporal_end", "value": temporal.get("endDate") or ""},
            {"key": "issued", "value": m.get("issued", "")},
            {"key": "modified", "value": m.get("modified", "")},
            {"key": "source", "value": info.source},
            {"key": "contact_name", "value": info.contact_name},
            {"key": "contact_email", "value": info.contact_email},
        ]
        if bbox:
            x0, y0, x1, y1 = bbox
            ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
            extras.append({"key": "spatial", "value": json.dumps({"type": "Polygon", "coordinates": [ring]})})
    fields: dict[str, Any] = {
        "name": info.name,
        "title": info.title,
        "notes": info.description,
        "license_id": info.licence,
        "tags": [{"name": k} for k in sorted(set(info.keywords))],
        "extras": extras,
    }
    if owner_org:
        fields["owner_org"] = owner_org
    return fields


def _differs(pkg: dict, fields: dict[str, Any]) -> bool:
    for key, value in fields.items():
        have = pkg.get(key)
        if key == "tags":
            have, value = sorted(t["name"] for t in have or []), sorted(t["name"] for t in value)
        elif key == "extras":
            have = {e["key"]: e["value"] for e in have or []}
            value = {e["key"]: e["value"] for e in value}
        if (have or "") != (value or ""):
            return True
    return False


def publish_package(
    client: CkanClient,
    info: DatasetInfo,
    dists: Sequence[Distribution],
    owner_org: Optional[str] = None,
    progress: Optional[Callable[[float, str], None]] = None,
    is_cancelled: Callable[[], bool] = lambda: False,
) -> CkanOutcome:
    say = progress or (lambda p, m: None)
    fields = _package_fields(info, dists, owner_org)
    pkg = client.package_show(info.name)
    created = pkg is None
    if created:
        say(2, f"creating dataset {info.name} (draft until every file is uploaded)")
        pkg = client.action("package_create", {**fields, "state": "draft"})
    seen = pkg["metadata_modified"]
    out = CkanOutcome(url=f"{client.base}/dataset/{info.name}", dataset_id=pkg["id"], created=created)
    by_name = {r.get("name"): r for r in pkg.get("resources", [])}
    done: list[str] = []
    names = [d.path.name for d in dists]

    def check_unchanged() -> dict:
        current = client.package_show(info.name)
        if current is None:
            raise DatasetChanged(f"Dataset {info.name} was deleted on the portal during the publish.")
        if current["metadata_modified"] != seen:
            raise DatasetChanged(
                f"Dataset {info.name} was changed on the portal by someone else during this publish "
                f"(modified {current['metadata_modified']}, expected {seen}). Nothing more was sent; check the "
                "portal, then publish again."
            )
        return current

    try:
        for i, d in enumerate(dists):
            if is_cancelled():
                raise CkanError("cancelled by the user")
            res = by_name.get(d.path.name)
            if res is not None and res.get("hash") == d.sha256 and res.get("url"):
                out.skipped.append(d.path.name)
                done.append(d.path.name)
                continue
            say(5 + 90 * i / max(len(dists), 1), f"uploading {d.path.name} ({d.size / 1e6:.1f} MB)")
            check_unchanged()
            data = {"name": d.path.name, "format": d.fmt, "mimetype": d.media_type, "hash": d.sha256}
            data["description"] = d.title
            if res is None:
                client.action("resource_create", {**data, "package_id": pkg["id"]}, upload=d.path)
            else:
                client.action("resource_update", {**data, "id": res["id"]}, upload=d.path)
            seen = client.package_show(info.name)["metadata_modified"]
            out.uploaded.append(d.path.name)
            done.append(d.path.name)
        current = check_unchanged()
        if created or current.get("state") != "active" or _differs(current, fields):
            say(97, "updating the dataset's metadata")
            client.action("package_patch", {**fields, "id": pkg["id"], "state": "active"})
    except CkanError as exc:
        remaining = [n for n in names if n not in done]
        if not out.uploaded and not created:
            raise
        state = "stays a draft (not public)" if created else "now mixes new and old files"
        raise PublishIncomplete(
            f"{exc} — published {len(out.uploaded)} of {len(dists)} files "
            f"({', '.join(out.uploaded)}); not yet: {', '.join(remaining) or 'dataset metadata'}. The dataset "
            f"{state}. Run the export again: files already on the portal are skipped by checksum.",
            done,
            remaining,
            exc,
        ) from exc
    out.message = (
        f"{info.name}: {len(out.uploaded)} files uploaded, {len(out.skipped)} unchanged (same checksum) — {out.url}"
    )
    return out
