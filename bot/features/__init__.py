"""Capabilities, platform-neutral: each takes an inbound event or a timer tick and returns
Outgoing intents."""
