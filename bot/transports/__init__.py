"""Platform edges. The only package that may import telegram, slack_bolt or slack_sdk."""
