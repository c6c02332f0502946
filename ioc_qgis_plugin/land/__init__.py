"""Land and planning core (no qgis/Qt): cadastral import, legacy encodings, CRS choice, quality, conformity."""
