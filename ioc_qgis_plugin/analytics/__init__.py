"""Spatial incident analytics on numpy/scipy/shapely. No qgis imports."""
