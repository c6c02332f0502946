"""Persistence behind one interface: GeoPackage (embedded default) and PostGIS."""
