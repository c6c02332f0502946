"""Operations views without QGIS: report → cameras and camera → reports lookups, replay frame planning."""
