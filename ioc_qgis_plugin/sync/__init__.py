"""Synchronisation of field reports with the city's reporting system (Open311); no QGIS imports."""
