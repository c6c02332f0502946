"""Qt widgets (qgis.PyQt only): IOC dock panel, camera viewer, dialogs."""
