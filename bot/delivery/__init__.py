"""The outbox's far side: claim due messages, render them per person, send, record."""
