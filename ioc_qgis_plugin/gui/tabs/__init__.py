"""Tabs of the IOC dock panel."""
