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

APT_PACKAGES := qgis python3-qgis qgis-providers python3-gdal python3-geopandas python3-rasterio \
  python3-opencv python3-scipy python3-sklearn python3-requests python3-psycopg2 python3-defusedxml python3-venv python3-pip \
  postgresql postgis postgresql-15-postgis-3 \
  python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-rtsp-server-1.0 gstreamer1.0-tools gstreamer1.0-plugins-base \
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav \
  xvfb xauth pyqt5-dev-tools qttools5-dev-tools zip unzip poppler-utils

.PHONY: setup apt venv build resources translate demo demo-data test test-unit test-qgis bench fuzz smoke package deploy lint clean

setup: apt venv build ## install Debian packages and the pip-only tools (idempotent)

apt:
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $(APT_PACKAGES)

# pip-only tools go into a venv that sees Debian's packages; Debian's numpy/pandas are pinned as constraints
# so pip never pulls numpy 2 over the compiled modules QGIS imports.
venv: $(VENV)/.done
$(VENV)/.done: requirements-dev.txt requirements-dev.lock
	$(SYSPY) -m venv --system-site-packages $(VENV)
	mkdir -p $(BUILD)
	$(SYSPY) -m pip freeze --path /usr/lib/python3/dist-packages > $(BUILD)/system-constraints.txt
	$(PY) -m pip install -q -c $(BUILD)/system-constraints.txt -c requirements-dev.lock -r requirements-dev.txt
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

demo: setup demo-data stage ## build the demo city, start demo cameras and services, open QGIS with the plugin
	$(PY) tools/run_demo.py --gpkg $(BUILD)/demo/ioc.gpkg --plugin-dir $(STAGE)

test: setup lint test-unit test-qgis ## QGIS-free unit tests, then real-QGIS tests

test-unit:
	$(PY) -m pytest -q -p no:pytest_qgis -p no:cacheprovider tests/unit

test-qgis: build
	$(PY) -m pytest -q -p no:cacheprovider tests/qgis

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

deploy: stage ## copy the plugin into a QGIS profile (PROFILE_DIR=...)
	mkdir -p $(PROFILE_DIR)/python/plugins
	rm -rf $(PROFILE_DIR)/python/plugins/$(PLUGIN)
	cp -r $(STAGE) $(PROFILE_DIR)/python/plugins/

clean:
	rm -rf $(BUILD) dist .pytest_cache $(PLUGIN)/resources_rc.py $(PLUGIN)/i18n/*.qm
