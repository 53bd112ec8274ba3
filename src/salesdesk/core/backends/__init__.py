"""Database engines of salesdesk's own (named in settings.DATABASES)."""
