"""Shared test scaffolding: real giaoban processes (`servers`), Debian's Chromium (`browser`),
the live room's WebSocket exchange (`live_scenario`) and WebRTC peers for Janus (`media`); used
by the tests, `giaoban tour` and the benchmarks, never by the app itself."""
