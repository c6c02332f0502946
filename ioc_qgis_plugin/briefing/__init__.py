"""Ward briefing: figures per ward (QGIS-free, `figures`) and the print layout / PDF export (`layout`).

Command line: `python -m ioc_qgis_plugin.briefing --gpkg ioc.gpkg --out DIR [--ward W01] [--date YYYY-MM-DD]`.
"""
