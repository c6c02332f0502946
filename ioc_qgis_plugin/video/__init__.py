"""Camera frame readers (OpenCV) that run off the GUI thread. No qgis imports."""
