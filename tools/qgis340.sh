#!/usr/bin/env bash
# `make test-qgis340`: the unit and QGIS test suites inside a Debian 13 (trixie) root with its own QGIS 3.40 LTR,
# Python 3.13, numpy 2, shapely 2, scikit-learn 1.4 and PostgreSQL 17 + PostGIS — the stack most city desks run.
#
#   tools/qgis340.sh root   build the root once (debootstrap + apt + pip); cached in $QGIS340_ROOT
#   tools/qgis340.sh run    copy the checkout into the root and run the suites there (chroot)
#   tools/qgis340.sh run tests/qgis/test_x.py -x    only those tests (pytest arguments)
#
# Needs root (debootstrap, chroot, mounts) and the Debian archive. The root is rebuilt only when this script's
# package lists change (a stamp holds their hash) or when `make clean-qgis340` removed it.
set -euo pipefail

ROOT=${QGIS340_ROOT:-/var/cache/ioc-qgis340/root}
# The Debian archive this machine's apt already uses (its first "debian" URI); QGIS340_MIRROR overrides it.
host_mirror() {
  { grep -hE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true; } |
    grep -oE '(https?|file)://[^ ]+/debian/?( |$)' | head -n 1 | tr -d ' '
}
MIRROR=${QGIS340_MIRROR:-$(host_mirror)}
SUITE=trixie
HERE=$(cd "$(dirname "$0")/.." && pwd)

APT=(
  qgis python3-qgis qgis-providers python3-gdal python3-shapely python3-numpy python3-pyproj python3-pandas
  python3-geopandas python3-rasterio
  python3-opencv python3-scipy python3-sklearn python3-requests python3-psycopg2 python3-defusedxml python3-yaml
  python3-venv python3-pip postgresql postgis postgresql-17-postgis-3
  python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-rtsp-server-1.0 gstreamer1.0-tools gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  xvfb xauth pyqt5-dev-tools qttools5-dev-tools make git zip unzip poppler-utils ca-certificates locales
)
# pip-only test tools: the same file `make setup` uses on Debian 13, with trixie's own packages as constraints
# (never a second numpy over Debian's)
REQS="$HERE/requirements-dev-debian13.txt"
STAMP_TEXT="${APT[*]} | $(cat "$REQS")"
STAMP=$(printf '%s' "$STAMP_TEXT" | sha256sum | cut -c1-16)
APT_STAMP=$(printf '%s' "${APT[*]}" | sha256sum | cut -c1-16)

need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "test-qgis340 needs root (debootstrap, chroot and mounts); run it as root or with sudo" >&2
    exit 1
  fi
}

in_root() { chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/lib/qt5/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

MOUNTED=()
mount_all() {
  mkdir -p "$ROOT/proc" "$ROOT/dev/shm" "$ROOT/tmp" "$ROOT/dev/pts"
  mount -t proc proc "$ROOT/proc" && MOUNTED+=("$ROOT/proc")
  mount -t tmpfs -o mode=1777 shm "$ROOT/dev/shm" && MOUNTED+=("$ROOT/dev/shm")
  mount -t devpts -o newinstance,ptmxmode=0666 devpts "$ROOT/dev/pts" && MOUNTED+=("$ROOT/dev/pts")
  mount -t tmpfs -o mode=1777,size=8g tmp "$ROOT/tmp" && MOUNTED+=("$ROOT/tmp")
  cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
}
umount_all() {
  local i
  for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do umount -l "${MOUNTED[$i]}" || true; done
  MOUNTED=()
}
trap umount_all EXIT

build_root() {
  need_root
  if [ -f "$ROOT/.ioc-ready" ] && [ "$(cat "$ROOT/.ioc-ready")" = "$STAMP" ]; then
    echo "qgis340: root ready ($ROOT)"
    return
  fi
  local t0=$SECONDS
  if ! [ -f "$ROOT/.ioc-apt" ] || [ "$(cat "$ROOT/.ioc-apt")" != "$APT_STAMP" ]; then
    if ! [ -f "$ROOT/.ioc-base" ]; then
      command -v debootstrap >/dev/null || {
        echo "qgis340: installing debootstrap"
        apt-get install -y -q --no-install-recommends debootstrap
      }
      rm -rf "$ROOT"
      mkdir -p "$ROOT"
      [ -n "$MIRROR" ] || {
        echo "qgis340: no Debian archive in this machine's apt sources; set QGIS340_MIRROR to one" >&2
        exit 2
      }
      echo "qgis340: debootstrap $SUITE into $ROOT"
      debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1 || {
        tail -30 "$ROOT.debootstrap.log" >&2
        exit 1
      }
      printf 'deb %s %s main\ndeb %s %s-updates main\n' "$MIRROR" "$SUITE" "$MIRROR" "$SUITE" >"$ROOT/etc/apt/sources.list"
      # services must not start inside the root while packages install (the tests start their own cluster)
      printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d" && chmod 755 "$ROOT/usr/sbin/policy-rc.d"
      touch "$ROOT/.ioc-base"
    fi
    mount_all
    # a changed package list installs into the existing root: only what is new is fetched
    echo "qgis340: apt-get install (${#APT[@]} packages and their dependencies)"
    in_root apt-get update -q >"$ROOT.apt.log" 2>&1
    in_root apt-get install -y -q --no-install-recommends "${APT[@]}" >>"$ROOT.apt.log" 2>&1 || {
      tail -30 "$ROOT.apt.log" >&2
      exit 1
    }
    in_root apt-get clean
    umount_all
    printf '%s' "$APT_STAMP" >"$ROOT/.ioc-apt"
    echo "qgis340: Debian packages installed after $((SECONDS - t0)) s"
  fi
  mount_all
  # certificate authorities this machine added locally (e.g. for an egress proxy) are trusted inside too
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
    in_root update-ca-certificates >/dev/null
  fi
  echo "qgis340: pip test tools in /opt/venv"
  rm -rf "$ROOT/opt/venv"
  in_root /usr/bin/python3 -m venv --system-site-packages /opt/venv
  in_root /bin/sh -c '/usr/bin/python3 -m pip freeze --path /usr/lib/python3/dist-packages > /opt/system-constraints.txt'
  cp "$REQS" "$ROOT/opt/requirements-dev.txt"
  in_root PIP_CERT=/etc/ssl/certs/ca-certificates.crt PIP_DISABLE_PIP_VERSION_CHECK=1 \
    /opt/venv/bin/pip install -q -c /opt/system-constraints.txt -r /opt/requirements-dev.txt
  umount_all
  printf '%s' "$STAMP" >"$ROOT/.ioc-ready"
  echo "qgis340: root built in $((SECONDS - t0)) s"
}

run_suites() {
  need_root
  [ -f "$ROOT/.ioc-ready" ] || build_root
  local t0=$SECONDS
  mount_all
  # a fresh copy of the checkout (tracked and new files, as `make stage` takes them), never the host's build
  rm -rf "$ROOT/src" && mkdir -p "$ROOT/src"
  (cd "$HERE" && git ls-files -co --exclude-standard | grep -v -E '(^|/)(\.venv|build|dist)(/|$)' |
    tar -c --no-recursion -T -) | tar -x -C "$ROOT/src"
  rm -f "$ROOT/src/ioc_qgis_plugin/resources_rc.py" "$ROOT"/src/ioc_qgis_plugin/i18n/*.qm
  # a repository of its own, so `make stage`/`make package` (git ls-files) see the same files as on the host
  in_root /bin/sh -c 'cd /src && git init -q && git add -A && git -c user.name=ci -c user.email=ci@localhost commit -qm snapshot'
  in_root /bin/sh -c 'python3 -c "import qgis.core as q, sys, numpy, shapely, sklearn, osgeo.gdal as g;
print(\"QGIS\", q.Qgis.version(), \"| Python\", sys.version.split()[0], \"| numpy\", numpy.__version__,
\"| shapely\", shapely.__version__, \"| scikit-learn\", sklearn.__version__, \"| GDAL\", g.__version__)"'
  # as the Makefile's venv target does on the host: Debian's pyproj looks for PROJ's data under the venv's prefix
  # and warns "Valid PROJ data directory not found" in every command the README runs with /opt/venv's python
  # (written at each run, so a root cached before this line needs no rebuild)
  in_root /opt/venv/bin/python -c 'import sysconfig, pathlib; pathlib.Path(sysconfig.get_paths()["purelib"],
"ioc_proj_data.pth").write_text("import os; os.environ.setdefault(\"PROJ_DATA\", \"/usr/share/proj\")\n")'
  local rc=0
  in_root /bin/sh -c 'cd /src && make -s build VENV=/opt/venv' || rc=$?
  local env="cd /src && export QT_QPA_PLATFORM=offscreen PYTHONPATH=/src:/usr/share/qgis/python/plugins \
PROJ_DATA=/usr/share/proj PYTHONDONTWRITEBYTECODE=1"
  if [ $rc = 0 ] && [ $# -gt 0 ]; then  # only the given tests (e.g. run tests/qgis/test_plugin.py -x)
    in_root /bin/sh -c "$env && /opt/venv/bin/python -m pytest -q -p no:cacheprovider -rfEs $*" || rc=$?
  elif [ $rc = 0 ]; then
    echo "qgis340: unit suite"
    in_root /bin/sh -c "$env && /opt/venv/bin/python -m pytest -q -p no:pytest_qgis -p no:cacheprovider -rfEs tests/unit" ||
      rc=$?
    echo "qgis340: QGIS suite"
    in_root /bin/sh -c "$env && /opt/venv/bin/python -m pytest -q -p no:cacheprovider -rfEs tests/qgis" || rc=$?
  fi
  umount_all
  echo "qgis340: suites ran in $((SECONDS - t0)) s (exit $rc)"
  return $rc
}

case "${1:-}" in
root) build_root ;;
run)
  shift
  run_suites "$@"
  ;;
*)
  echo "usage: $0 root|run" >&2
  exit 2
  ;;
esac
