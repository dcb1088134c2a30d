"""Benchmarks: scripts run by hand against PostgreSQL, never part of the test suite."""
