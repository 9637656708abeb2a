"""Follow-up: conclusions become tasks, assigned to units, tracked to the end."""
