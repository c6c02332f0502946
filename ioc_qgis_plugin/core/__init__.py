"""QGIS-free domain core: statuses, deadline rules, CRS registry, schema, paths. No qgis or Qt imports here."""
