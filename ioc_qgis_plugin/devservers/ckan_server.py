"""A local CKAN action API (v3) on 127.0.0.1 for the demo and the tests — standard library only.

Implements what the exporter uses, as CKAN documents it: status_show, package_show, package_create,
package_update, package_patch, resource_show, resource_create, resource_update, resource_patch (JSON or
multipart/form-data with an `upload` file), and the resource download URL. Answers are
`{"help": ..., "success": true, "result": ...}`; errors `{"success": false, "error": {"__type": ..., "message": ...}}`
with CKAN's status codes (403 Authorization Error, 404 Not Found Error, 409 Validation Error). The API token goes
in the `Authorization` header. Writes bump the dataset's `metadata_modified`.

Fault injection for tests (attributes of `CkanState.faults`): `fail` (list of [action or "*", status] consumed in
order), `delay_s` (seconds before answering), `max_upload_bytes` (413 above it, like nginx's
client_max_body_size), `edit_after` ((action, n): after the n-th call of that action the dataset is changed as
if by another user).

    python -m ioc_qgis_plugin.devservers.ckan_server --port 8800   # accepted token from $CKAN_API_TOKEN
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Optional
from urllib.parse import parse_qs, unquote, urlsplit

from .lifecycle import stop_on_sigterm

HELP = "http://127.0.0.1/api/3/action/help_show?name={}"
NAME_RE = re.compile(r"^[a-z0-9_\-]{2,100}$")


class ActionError(Exception):
    def __init__(self, status: int, kind: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.kind, self.message, self.extra = status, kind, message, extra


def _now() -> str:
    # CKAN's metadata_modified: naive UTC with microseconds; sleep-free uniqueness comes from the counter below
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds")


@dataclass
class Faults:
    fail: list = field(default_factory=list)  # [[action or "*", status], ...]
    delay_s: float = 0.0
    max_upload_bytes: Optional[int] = None
    edit_after: Optional[tuple[str, int]] = None  # (action, n): the n-th call of action is followed by an edit


@dataclass
class CkanState:
    tokens: set[str]
    storage: Path
    packages: dict[str, dict] = field(default_factory=dict)  # id -> package
    faults: Faults = field(default_factory=Faults)
    calls: list[str] = field(default_factory=list)
    uploads: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)
    _last_mod: str = ""

    def stamp(self) -> str:
        now = _now()
        if now <= self._last_mod:  # strictly increasing even within one clock tick
            now = self._last_mod[:-6] + f"{int(self._last_mod[-6:]) + 1:06d}"
        self._last_mod = now
        return now

    def find(self, ref: str) -> dict:
        pkg = self.packages.get(ref) or next((p for p in self.packages.values() if p["name"] == ref), None)
        if pkg is None or pkg.get("state") == "deleted":
            raise ActionError(404, "Not Found Error", "Not found")
        return pkg

    def find_resource(self, rid: str) -> tuple[dict, dict]:
        for pkg in self.packages.values():
            for res in pkg["resources"]:
                if res["id"] == rid:
                    return pkg, res
        raise ActionError(404, "Not Found Error", "Not found: Resource was not found.")

    def edit_by_someone_else(self, pkg: dict) -> None:
        pkg["notes"] = (pkg.get("notes") or "") + " (edited on the portal)"
        pkg["metadata_modified"] = self.stamp()


PACKAGE_FIELDS = ("title", "notes", "license_id", "owner_org", "private", "state", "version", "url", "author")


class Handler(BaseHTTPRequestHandler):
    server_version = "CKAN-local/2.10"
    state: CkanState  # set on the subclass made by make_server

    def log_message(self, fmt: str, *args: Any) -> None:  # quiet
        pass

    # -- plumbing -----------------------------------------------------------------------------------------
    def _send(self, status: int, body: dict | bytes, ctype: str = "application/json;charset=utf-8") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, action: str, err: ActionError) -> None:
        self._send(
            err.status,
            {
                "help": HELP.format(action),
                "success": False,
                "error": {"__type": err.kind, "message": err.message, **err.extra},
            },
        )

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        m = re.match(r"^/dataset/([^/]+)/resource/([^/]+)/download/([^/]+)$", parts.path)
        if m and method == "GET":
            return self._download(m.group(2))
        m = re.match(r"^/api/(?:3/)?action/([a-z_]+)$", parts.path)
        if not m:
            return self._send(404, {"success": False, "error": {"__type": "Not Found Error", "message": "Not found"}})
        action = m.group(1)
        st = self.state
        length = int(self.headers.get("Content-Length") or 0)
        limit = st.faults.max_upload_bytes
        if limit is not None and length > limit:
            # like a reverse proxy's client_max_body_size: an HTML answer, not CKAN JSON; the body is drained so
            # the client reliably sees the status instead of a broken pipe
            remaining = length
            while remaining > 0:
                remaining -= len(self.rfile.read(min(remaining, 1 << 20)) or b"x" * remaining)
            self.close_connection = True
            return self._send(413, b"<html><body><h1>413 Request Entity Too Large</h1></body></html>", "text/html")
        body = self.rfile.read(length) if length else b""
        with st.lock:
            st.calls.append(action)
            fault = None
            for i, (name, _status) in enumerate(st.faults.fail):
                if name in (action, "*"):
                    fault = st.faults.fail.pop(i)[1]
                    break
            delay = st.faults.delay_s
        if delay:
            time.sleep(delay)
        if fault:
            kinds = {401: "Authorization Error", 403: "Authorization Error", 409: "Validation Error"}
            return self._error(
                action, ActionError(int(fault), kinds.get(int(fault), "Internal Server Error"), "injected")
            )
        try:
            data, files = self._payload(method, parts.query, body)
            handler = getattr(self, f"act_{action}", None)
            if handler is None:
                raise ActionError(400, "Bad request", f"Bad request - Action name not known: {action}")
            with st.lock:
                result = json.loads(json.dumps(handler(data, files)))  # a snapshot, not the live dict
                edit = st.faults.edit_after
                if edit and edit[0] == action:
                    st.faults.edit_after = (action, edit[1] - 1) if edit[1] > 1 else None
                    if edit[1] <= 1:
                        st.edit_by_someone_else(st.find(result.get("package_id") or result.get("id")))
        except ActionError as err:
            return self._error(action, err)
        self._send(200, {"help": HELP.format(action), "success": True, "result": result})

    def _payload(self, method: str, query: str, body: bytes) -> tuple[dict, dict[str, tuple[str, bytes]]]:
        if method == "GET":
            return {k: v[0] for k, v in parse_qs(query).items()}, {}
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("multipart/form-data"):
            msg = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode() + body)
            data: dict[str, Any] = {}
            files: dict[str, tuple[str, bytes]] = {}
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                filename = part.get_filename()
                payload = part.get_payload(decode=True) or b""
                if filename is not None:
                    files[name] = (filename, payload)
                else:
                    data[name] = payload.decode("utf-8")
            return data, files
        if not body:
            return {}, {}
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise ActionError(400, "Bad request", f"JSON Error: {exc}") from exc
        if not isinstance(data, dict):
            raise ActionError(400, "Bad request", "JSON Error: body must be an object")
        return data, {}

    def _user(self) -> str:
        token = self.headers.get("Authorization", "")
        if token.lower().startswith("bearer "):
            token = token[7:]
        if not token or token not in self.state.tokens:
            raise ActionError(403, "Authorization Error", "Access denied: Action requires an authenticated user")
        return "ioc-publisher"

    # -- actions --------------------------------------------------------------------------------------------
    def act_status_show(self, data: dict, files: dict) -> dict:
        return {"ckan_version": "2.10.4", "site_url": f"http://127.0.0.1:{self.server.server_port}", "extensions": []}

    def act_package_show(self, data: dict, files: dict) -> dict:
        pkg = self.state.find(str(data.get("id", "")))
        if pkg.get("private"):
            self._user()
        return pkg

    def act_package_create(self, data: dict, files: dict) -> dict:
        user = self._user()
        name = str(data.get("name", ""))
        if not NAME_RE.match(name):
            raise ActionError(
                409, "Validation Error", "Validation error", name=["Must be purely lowercase alphanumeric"]
            )
        if any(p["name"] == name for p in self.state.packages.values()):
            raise ActionError(409, "Validation Error", "Validation error", name=["That URL is already in use."])
        now = self.state.stamp()
        pkg = {
            "id": str(uuid.uuid4()),
            "name": name,
            "type": "dataset",
            "state": data.get("state", "active"),
            "private": bool(data.get("private", False)),
            "creator_user_id": user,
            "metadata_created": now,
            "metadata_modified": now,
            "resources": [],
            "tags": [],
            "extras": [],
        }
        self._apply_package(pkg, data)
        self.state.packages[pkg["id"]] = pkg
        return pkg

    def _apply_package(self, pkg: dict, data: dict) -> None:
        for key in PACKAGE_FIELDS:
            if key in data:
                pkg[key] = data[key]
        if "tags" in data:
            pkg["tags"] = [{"name": t["name"] if isinstance(t, dict) else str(t)} for t in data["tags"]]
        if "extras" in data:
            pkg["extras"] = [{"key": e["key"], "value": str(e["value"])} for e in data["extras"]]
        pkg["num_resources"] = len(pkg["resources"])
        pkg["num_tags"] = len(pkg["tags"])

    def act_package_update(self, data: dict, files: dict) -> dict:
        self._user()
        pkg = self.state.find(str(data.get("id") or data.get("name") or ""))
        if "resources" not in data:  # CKAN's package_update replaces everything it is given; keep it simple
            data = {**data, "resources": pkg["resources"]}
        pkg["resources"] = data["resources"]
        self._apply_package(pkg, data)
        pkg["metadata_modified"] = self.state.stamp()
        return pkg

    def act_package_patch(self, data: dict, files: dict) -> dict:
        self._user()
        pkg = self.state.find(str(data.get("id") or data.get("name") or ""))
        self._apply_package(pkg, data)
        pkg["metadata_modified"] = self.state.stamp()
        return pkg

    def act_resource_show(self, data: dict, files: dict) -> dict:
        return self.state.find_resource(str(data.get("id", "")))[1]

    def _store_upload(self, pkg: dict, res: dict, upload: tuple[str, bytes]) -> None:
        filename, content = upload
        filename = os.path.basename(filename) or "upload"
        folder = self.state.storage / res["id"]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / filename).write_bytes(content)
        port = self.server.server_port
        res["url"] = f"http://127.0.0.1:{port}/dataset/{pkg['id']}/resource/{res['id']}/download/{filename}"
        res["url_type"] = "upload"
        res["size"] = len(content)
        res["last_modified"] = _now()
        self.state.uploads += 1

    def _apply_resource(self, res: dict, data: dict) -> None:
        for key in ("name", "description", "format", "mimetype", "hash", "url"):
            if key in data:
                res[key] = data[key]

    def act_resource_create(self, data: dict, files: dict) -> dict:
        self._user()
        pkg = self.state.find(str(data.get("package_id", "")))
        res = {"id": str(uuid.uuid4()), "package_id": pkg["id"], "position": len(pkg["resources"]), "url": ""}
        self._apply_resource(res, data)
        res["created"] = _now()
        if "upload" in files:
            self._store_upload(pkg, res, files["upload"])
        pkg["resources"].append(res)
        pkg["num_resources"] = len(pkg["resources"])
        pkg["metadata_modified"] = self.state.stamp()
        return res

    def act_resource_update(self, data: dict, files: dict) -> dict:
        self._user()
        pkg, res = self.state.find_resource(str(data.get("id", "")))
        keep = {k: res[k] for k in ("id", "package_id", "position", "created", "url", "url_type", "size")}
        res.clear()
        res.update(keep)
        self._apply_resource(res, data)
        if "upload" in files:
            self._store_upload(pkg, res, files["upload"])
        pkg["metadata_modified"] = self.state.stamp()
        return res

    def act_resource_patch(self, data: dict, files: dict) -> dict:
        self._user()
        pkg, res = self.state.find_resource(str(data.get("id", "")))
        self._apply_resource(res, data)
        if "upload" in files:
            self._store_upload(pkg, res, files["upload"])
        pkg["metadata_modified"] = self.state.stamp()
        return res

    def _download(self, rid: str) -> None:
        try:
            _, res = self.state.find_resource(unquote(rid))
        except ActionError:
            return self._send(404, b"not found", "text/plain")
        folder = self.state.storage / res["id"]
        files = sorted(folder.iterdir()) if folder.is_dir() else []
        if not files:
            return self._send(404, b"not found", "text/plain")
        self._send(200, files[0].read_bytes(), res.get("mimetype") or "application/octet-stream")


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):  # a client that gave up (timeout tests)
            return
        super().handle_error(request, client_address)


class CkanServer:
    """Runs the server in a thread: `with CkanServer(tokens={"t"}) as srv: srv.url`."""

    def __init__(self, port: int = 0, tokens: Optional[set[str]] = None, storage: Optional[Path] = None) -> None:
        self._tmp = None if storage else tempfile.mkdtemp(prefix="ckan-local-")
        self.state = CkanState(tokens=set(tokens or set()), storage=Path(storage or self._tmp))
        handler = type("BoundHandler", (Handler,), {"state": self.state})
        self.httpd = _QuietServer(("127.0.0.1", port), handler)
        self.thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}"

    def start(self) -> CkanServer:
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="ckan-local", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> CkanServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description="Local CKAN action API server (127.0.0.1) for the IOC demo and tests")
    ap.add_argument("--port", type=int, default=8800)
    ap.add_argument("--storage", default=None, help="folder for uploaded files (default: a temporary folder)")
    ap.add_argument("--token-env", default="CKAN_API_TOKEN", help="environment variable holding the accepted token")
    args = ap.parse_args(argv)
    token = os.environ.get(args.token_env, "")
    srv = CkanServer(args.port, {token} if token else set(), Path(args.storage) if args.storage else None)
    stop_on_sigterm(srv.httpd)  # before the ready line: a launcher may stop us right after it
    print(f"CKAN action API ready on {srv.url}/api/3/action/ (token from ${args.token_env})", flush=True)
    try:
        srv.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
