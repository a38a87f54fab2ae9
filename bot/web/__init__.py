"""The one HTTP server (Starlette under uvicorn): health, metrics, platform webhooks."""
