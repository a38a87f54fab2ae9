"""Load and validate `content/` and `schedules/` into domain models; backs `kompis check`."""
