"""Smart street lights without QGIS: live state from SensorThings, energy, outage and day/night analytics."""
