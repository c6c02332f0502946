# IOC QGIS plugin — one entry point for set-up, demo, tests, benchmarks and packaging.
SHELL := /bin/bash
PLUGIN := ioc_qgis_plugin
VERSION := $(shell sed -n 's/^version=//p' metadata.txt)
SYSPY := /usr/bin/python3
VENV := .venv
PY := $(VENV)/bin/python
BUILD := build
STAGE := $(BUILD)/$(PLUGIN)
PROFILE_DIR ?= $(HOME)/.local/share/QGIS/QGIS3/profiles/default
export QT_QPA_PLATFORM ?= offscreen
export PYTHONPATH := $(CURDIR):/usr/share/qgis/python/plugins:$(PYTHONPATH)
export PYTHONDONTWRITEBYTECODE := 1
export PROJ_DATA ?= /usr/share/proj

# PostgreSQL's major version on each supported distribution names its PostGIS package (postgresql-N-postgis-3).
DISTRO := $(shell . /etc/os-release 2>/dev/null && echo "$$ID-$$VERSION_CODENAME")
PG_MAJOR_debian-bookworm := 15
PG_MAJOR_debian-trixie := 17
PG_MAJOR := $(PG_MAJOR_$(DISTRO))
APT_PACKAGES := qgis python3-qgis qgis-providers python3-gdal python3-geopandas python3-rasterio \
  python3-opencv python3-scipy python3-sklearn python3-requests python3-psycopg2 python3-defusedxml python3-venv python3-pip \
  postgresql postgis postgresql-$(PG_MAJOR)-postgis-3 \
  python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-rtsp-server-1.0 gstreamer1.0-tools gstreamer1.0-plugins-base \
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav \
  xvfb xauth pyqt5-dev-tools qttools5-dev-tools zip unzip poppler-utils

.PHONY: setup apt venv build resources translate demo demo-data test test-unit test-qgis test-stress test-qgis340 clean-qgis340 bench fuzz smoke screenshots package repo deploy lint clean

setup: apt venv build ## install Debian packages and the pip-only tools (idempotent)

apt:
	@if [ -z "$(PG_MAJOR)" ]; then \
	  echo "make setup supports Debian 12 (bookworm) and Debian 13 (trixie); this machine is '$(DISTRO)'." >&2; \
	  echo "Elsewhere install QGIS ≥ 3.22 with its Python bindings, the Python modules listed by IOC ▸ Dependencies" >&2; \
	  echo "and, for the tests, PostgreSQL with PostGIS 3 yourself (README: Windows, Debian 13)." >&2; exit 2; fi
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $(APT_PACKAGES)

# The lock was frozen on Debian 12; on Debian 13 Debian's own versions (system-constraints) pin the shared ones.
LOCK := $(if $(filter debian-bookworm,$(DISTRO)),-c requirements-dev.lock,)
REQS := $(if $(filter debian-trixie,$(DISTRO)),requirements-dev-debian13.txt,requirements-dev.txt)

# pip-only tools go into a venv that sees Debian's packages; Debian's numpy/pandas are pinned as constraints
# so pip never pulls numpy 2 over the compiled modules QGIS imports.
venv: $(VENV)/.done
$(VENV)/.done: requirements-dev.txt requirements-dev-debian13.txt requirements-dev.lock
	$(SYSPY) -m venv --system-site-packages $(VENV)
	mkdir -p $(BUILD)
	$(SYSPY) -m pip freeze --path /usr/lib/python3/dist-packages > $(BUILD)/system-constraints.txt
	$(PY) -m pip install -q -c $(BUILD)/system-constraints.txt $(LOCK) -r $(REQS)
	@# pyproj (Debian's) looks for PROJ's data under the venv's prefix and warns "Valid PROJ data directory not
	@# found" for every command run with .venv/bin/python; point it at Debian's data unless the user set one.
	echo "import os; os.environ.setdefault('PROJ_DATA', '/usr/share/proj')" > \
	  "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/ioc_proj_data.pth"
	touch $@

build: resources translate ## compile resources and translations in place
resources: $(PLUGIN)/resources_rc.py
$(PLUGIN)/resources_rc.py: resources.qrc $(wildcard icons/*.svg)
	pyrcc5 -o $@ resources.qrc
	sed -i "s/^from PyQt5 import QtCore/from qgis.PyQt import QtCore/" $@

TS := $(wildcard $(PLUGIN)/i18n/*.ts)
translate: $(TS:.ts=.qm) ## Qt .ts sources -> .qm
%.qm: %.ts
	lrelease -silent $< -qm $@

update-ts: ## refresh the .ts source from the code (pylupdate5), then fill it from i18n/vi.json
	pylupdate5 -noobsolete $$(git ls-files -co --exclude-standard '$(PLUGIN)/*.py' 'processing_scripts/*.py') -ts $(TS)
	$(SYSPY) tools/fill_translations.py

demo-data: $(BUILD)/demo/ioc.gpkg
$(BUILD)/demo/ioc.gpkg: $(shell git ls-files $(PLUGIN)/demo $(PLUGIN)/store layers 2>/dev/null)
	mkdir -p $(BUILD)/demo
	$(PY) -m $(PLUGIN).demo.citygen --out $@ --force
	$(PY) layers/make_qlr.py $@ $(BUILD)/demo/ioc_layers.qlr
	@# the demo city's pseudonym secret for published report ids (a city keeps its own, see README: export)
	test -s $(BUILD)/demo/export-id-secret || \
	  (umask 077 && $(SYSPY) -c "import secrets; print(secrets.token_hex(32))" > $(BUILD)/demo/export-id-secret)

demo: setup demo-data stage ## build the demo city, start demo cameras and services, open QGIS with the plugin
	$(PY) tools/run_demo.py --gpkg $(BUILD)/demo/ioc.gpkg --plugin-dir $(STAGE)

test: setup lint test-unit test-qgis ## QGIS-free unit tests, then real-QGIS tests

test-unit:
	$(PY) -m pytest -q -p no:pytest_qgis -p no:cacheprovider tests/unit

test-qgis: build
	$(PY) -m pytest -q -p no:cacheprovider tests/qgis

test-stress: setup lint build ## the unit and QGIS suites 5 times in a row beside two busy processes; stops at a failure
	$(PY) tools/test_stress.py --runs 5 --busy 2

# The unit and QGIS suites in a Debian 13 root (QGIS 3.40 LTR, Python 3.13, numpy 2, shapely 2, PostgreSQL 17):
# built once with debootstrap and cached in QGIS340_ROOT (make clean keeps it; make clean-qgis340 removes it).
QGIS340_ROOT ?= /var/cache/ioc-qgis340/root
export QGIS340_ROOT
test-qgis340: ## unit + QGIS suites on QGIS 3.40 / Debian 13 (chroot; needs root)
	bash tools/qgis340.sh root
	bash tools/qgis340.sh run

clean-qgis340:
	@case "$(QGIS340_ROOT)" in /var/cache/*|$(CURDIR)/build/*) ;; *) echo "refusing to remove $(QGIS340_ROOT)"; exit 2;; esac
	rm -rf "$(QGIS340_ROOT)" "$(QGIS340_ROOT)".*.log

bench: setup build ## benchmarks -> bench/results.json
	rm -f bench/results.json
	$(PY) -m pytest -q -p no:cacheprovider tests/bench -s

# Deep fuzzing (tests/support/fuzz.py): per connector cases, uncaught, hangs > 5 s, garbage stored;
# bench/results.json rows fuzz_<connector>_{cases,uncaught,hangs,garbage}. The suite runs a bounded sample.
FUZZ_CASES ?= 10000
FUZZ_JOBS ?= 2
FUZZ_BUDGET ?= 3600
fuzz: setup ## ≥ 10,000 seeded hostile inputs per connector through the real pipeline into real GeoPackages
	$(PY) tools/fuzz.py --cases $(FUZZ_CASES) --jobs $(FUZZ_JOBS) --budget $(FUZZ_BUDGET)

smoke: setup stage ## start the QGIS desktop under Xvfb with the plugin, screenshot, fail on Python errors
	$(PY) tools/smoke.py --plugin-dir $(STAGE) --out $(BUILD)/smoke

screenshots: stage ## walk the day in the desktop under Xvfb (vi/en, 1366x768/1920x1080) -> docs/screenshots
	$(PY) tools/screenshots.py --plugin-dir $(STAGE) --out docs/screenshots

lint:
	$(VENV)/bin/ruff check $(PLUGIN) processing_scripts layers tests tools
	$(VENV)/bin/ruff format --check $(PLUGIN) processing_scripts layers tests tools

# The plugin as QGIS installs it: one folder with metadata.txt, compiled resources and translations.
stage: build
	rm -rf $(STAGE) && mkdir -p $(STAGE)
	git ls-files -co --exclude-standard $(PLUGIN) | grep -v -E '(__pycache__|\.pyc$$|\.ts$$|i18n/vi\.json$$)' | \
	  xargs -I{} install -D -m 644 {} $(BUILD)/{}
	mkdir -p $(STAGE)/i18n && cp $(PLUGIN)/resources_rc.py $(STAGE)/ && cp $(PLUGIN)/i18n/*.qm $(STAGE)/i18n/
	cp metadata.txt LICENSE $(STAGE)/
	mkdir -p $(STAGE)/icons && cp icons/*.svg $(STAGE)/icons/
	git ls-files -co --exclude-standard processing_scripts layers | grep -v __pycache__ | xargs -I{} install -D -m 644 {} $(STAGE)/{}

package: stage ## dist/ioc_qgis_plugin-VERSION.zip for the plugin repository
	mkdir -p dist && rm -f dist/$(PLUGIN)-$(VERSION).zip
	cd $(BUILD) && zip -q -r -X ../dist/$(PLUGIN)-$(VERSION).zip $(PLUGIN)
	@echo "dist/$(PLUGIN)-$(VERSION).zip"

# A plugin repository a province serves from any web server: REPO_URL is where REPO_DIR will be reachable.
REPO_DIR ?= dist/repo
repo: package ## dist/repo/plugins.xml + the zip, for Plugin Manager (REPO_URL=https://.../qgis-plugins/)
	@if [ -z "$(REPO_URL)" ]; then echo "make repo: set REPO_URL to the address where $(REPO_DIR) will be served," \
	  "e.g. make repo REPO_URL=https://gis.example-province.gov.vn/qgis-plugins/" >&2; exit 2; fi
	$(SYSPY) tools/make_repo.py --zip dist/$(PLUGIN)-$(VERSION).zip --out $(REPO_DIR) --base-url "$(REPO_URL)"

deploy: stage ## copy the plugin into a QGIS profile (PROFILE_DIR=...)
	mkdir -p $(PROFILE_DIR)/python/plugins
	rm -rf $(PROFILE_DIR)/python/plugins/$(PLUGIN)
	cp -r $(STAGE) $(PROFILE_DIR)/python/plugins/

clean:
	rm -rf $(BUILD) dist .pytest_cache $(PLUGIN)/resources_rc.py $(PLUGIN)/i18n/*.qm
