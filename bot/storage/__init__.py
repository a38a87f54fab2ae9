"""Persistence: SQLModel tables, the repository, migrations. The only package that imports
sqlmodel or sqlalchemy."""
