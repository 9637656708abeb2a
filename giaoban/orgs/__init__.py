"""The registry: administrative units, organizations, people, positions, and users' place in it."""
