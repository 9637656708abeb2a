"""giaoban: the periodic online briefings of Vietnam's mass-mobilization network."""
