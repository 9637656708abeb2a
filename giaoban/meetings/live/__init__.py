"""The live room: the conference's WebSocket (`consumer`), what a console may ask (`commands`),
the one way out of a change (`broadcast`, with `cache` for the whole state), the per-process
fan-out (`fanout`), presence (`presence`) and the two console pages (`views`)."""
