"""Pure domain code: no platform, database or template imports (see tests/test_architecture.py)."""
