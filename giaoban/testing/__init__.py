"""Helpers for the tests (and the guided tour) that start real giaoban processes."""
