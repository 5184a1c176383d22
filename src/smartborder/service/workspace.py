"""An administration's risk configuration, on disk under the data directory so that analysts can
also keep it in version control:

    <data_dir>/administrations/<code>/profiles/*.yaml        risk profiles (retired ones in profiles/retired/)
    <data_dir>/administrations/<code>/watchlists/            lists and their watchlists.yaml
    <data_dir>/administrations/<code>/valuation.parquet      valuation reference (optional)

and the assessment context made from it (with the champion of the administration's own register
of models), loaded once and loaded again only when a file or that champion changes.
"""

import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from smartborder.config import Settings
from smartborder.learn.registry import champion
from smartborder.risk.engine import Context
from smartborder.risk.run import load_context
from smartborder.service.accounts import Organisation


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def profiles(self) -> Path:
        return self.root / "profiles"

    @property
    def retired(self) -> Path:
        return self.profiles / "retired"

    @property
    def watchlists(self) -> Path:
        return self.root / "watchlists"

    @property
    def valuation(self) -> Path:
        return self.root / "valuation.parquet"

    def signature(self) -> tuple:
        """Changes whenever a file of the configuration does."""
        files = [*self.profiles.glob("*.y*ml"), *self.watchlists.glob("*"), self.valuation]
        return tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.is_file()))


def workspace(settings: Settings, organisation: Organisation) -> Workspace:
    return Workspace(settings.data_dir / "administrations" / organisation.code)


class Contexts:
    """Assessment contexts per administration, reloaded when their configuration changes."""

    def __init__(self, settings: Settings, engine: Engine):
        self._settings, self._engine = settings, engine
        self._loaded: dict[str, tuple[tuple, Context]] = {}
        self._lock = threading.Lock()

    def get(self, organisation: Organisation) -> Context:
        """The administration's context; what of its configuration cannot be loaded is left out (see Context.problems)."""
        space = workspace(self._settings, organisation)
        model = champion(self._engine, organisation.id)
        key = (space.signature(), model, date.today())
        with self._lock:
            known = self._loaded.get(organisation.code)
            if known is None or known[0] != key:
                context = load_context(
                    space.profiles if space.profiles.is_dir() else None,
                    space.watchlists if (space.watchlists / "watchlists.yaml").is_file() else None,
                    space.valuation if space.valuation.is_file() else None,
                    model=model, lenient=True,
                )  # fmt: skip
                known = self._loaded[organisation.code] = (key, context)
        return known[1]
