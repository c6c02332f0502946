"""Deterministic demo-city generator."""
