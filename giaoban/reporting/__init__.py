"""Periodic reporting: indicators, forms, periods, reports, workflow and live consolidation."""
