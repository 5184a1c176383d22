"""The one settings object. Nothing else in smartborder reads os.environ."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "smartborder"


class Settings(BaseSettings):
    """Settings from environment variables named SMARTBORDER_<FIELD>."""

    model_config = SettingsConfigDict(env_prefix="SMARTBORDER_")

    data_dir: Path = Field(default_factory=_default_data_dir, description="Where the embedded database and outputs live.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default: SQLite file in data_dir.")
    batch_size: int = Field(default=25_000, ge=1, description="Rows per intake batch; bounds memory.")
    max_request_bytes: int = Field(default=16 * 2**20, ge=1024, description="The largest request body taken, in bytes; a larger one is a 413.")
    rfi_severity: float = Field(
        default=0.6, ge=0, le=1, description="A finding at or above this severity asks the submitter for better data."
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'smartborder.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
