"""Random choices drawn for many rows at once, and the parsers of the catalogue's list strings."""

from collections.abc import Sequence

import numpy as np
import polars as pl


def weighted(spec: str) -> list[tuple[str, float]]:
    """'a:3 b:1' -> [('a', 3.0), ('b', 1.0)]."""
    return [(key, float(weight)) for key, weight in (part.rsplit(":", 1) for part in spec.split())]


def split(text: str) -> list[str]:
    """'a|b|c' -> ['a', 'b', 'c']; '' -> ['']."""
    return text.split("|") if text else [""]


class Choice:
    """Groups of weighted values: draws, for every row, a value of the row's group."""

    def __init__(self, groups: Sequence[Sequence[tuple[object, float]]]):
        values, cdfs, last = [], [], []
        for group, options in enumerate(groups):
            weights = np.array([weight for _, weight in options], dtype=float)
            cdf = np.cumsum(weights) / weights.sum()
            cdf[-1] = 1.0
            cdfs.append(group + cdf)
            values += [value for value, _ in options]
            last.append(len(values) - 1)
        self.values = values
        self.series = pl.Series(values, strict=False)
        self._array = np.asarray(values)
        self._cdf = np.concatenate(cdfs)
        self._last = np.array(last)

    @classmethod
    def uniform(cls, groups: Sequence[Sequence[object]]) -> "Choice":
        return cls([[(value, 1.0) for value in group] for group in groups])

    def draw(self, rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
        """Positions in `values`."""
        found = np.searchsorted(self._cdf, group + rng.random(len(group)), side="right")
        return np.minimum(found, self._last[group])

    def take(self, rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
        return self._array[self.draw(rng, group)]

    def pick(self, rng: np.random.Generator, group: np.ndarray) -> pl.Series:
        return self.series.gather(self.draw(rng, group))


def one(options: list[tuple[object, float]]) -> Choice:
    """A choice of a single group: draw it with `zeros(n)` as the groups."""
    return Choice([options])


def zeros(n: int) -> np.ndarray:
    return np.zeros(n, dtype=np.int64)
