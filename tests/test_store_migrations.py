from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from smartborder.store.db import create_store_engine, migrate
from smartborder.store.tables import metadata


def test_migrations_build_exactly_the_declared_tables(database_url):
    engine = create_store_engine(database_url)
    migrate(engine)
    migrate(engine)  # a second run is a no-op
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
        assert differences == []
        assert set(inspect(conn).get_table_names()) == set(metadata.tables) | {"alembic_version"}
    engine.dispose()
