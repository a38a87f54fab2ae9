"""Per-locale Jinja2 environments with Babel translations, CLDR dates, platform-neutral text."""
