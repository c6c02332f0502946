"""Pure-Python clients for outside systems (Open311, SensorThings, CKAN, OGC API, cameras). No qgis imports."""
