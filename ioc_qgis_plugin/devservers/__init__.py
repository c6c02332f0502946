"""Local servers on 127.0.0.1 that follow public specs (Open311, SensorThings, CKAN, RTSP) for demo and tests."""
