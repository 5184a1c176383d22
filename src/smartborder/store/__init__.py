"""Storage: SQLAlchemy tables, Alembic migrations and the repositories that read and write them."""
