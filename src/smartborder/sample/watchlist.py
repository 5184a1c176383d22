"""The watch list of fictional listed parties, and lookalike names: variants of listed names planted on consignments."""

import numpy as np
import polars as pl

from smartborder.sample import catalogue as cat
from smartborder.sample.sampling import one, weighted, zeros

# Other spellings of each part of a listed person's name, and the legal forms, longest first.
_TRANSLIT = {spelling: [other for other in group.split("/") if other != spelling]
             for parts in cat.WATCH_PERSONS.values() for group in "|".join(parts).split("|") for spelling in group.split("/")}
_FORMS = sorted(cat.LEGAL_VARIANTS, key=len, reverse=True)


def _pick(rng: np.random.Generator, options: str) -> str:
    choices = options.split("|")
    return choices[rng.integers(len(choices))]


def _listed_person(rng: np.random.Generator) -> tuple[str, list[str], str, str]:
    country = _pick(rng, "|".join(cat.WATCH_PERSONS))
    spellings = [_pick(rng, part).split("/") for part in cat.WATCH_PERSONS[country]]
    name = " ".join(s[0] for s in spellings)
    aliases = [" ".join(s[-1] for s in spellings)] if rng.random() < 0.7 else []
    if rng.random() < 0.3:
        aliases.append(" ".join(s[0] for s in spellings[-1:] + spellings[:-1]))
    return name, aliases, country, "person"


def _listed_organization(rng: np.random.Generator) -> tuple[str, list[str], str, str]:
    country = _pick(rng, "|".join(cat.WATCH_ORGS))
    stem, industry, form = _pick(rng, cat.WATCH_STEMS), _pick(rng, cat.WATCH_INDUSTRIES), _pick(rng, cat.WATCH_ORGS[country])
    aliases = [f"{stem} {industry} {_pick(rng, cat.LEGAL_VARIANTS[form])}"] if rng.random() < 0.4 else []
    if rng.random() < 0.2:
        aliases.append(f"{stem} {_pick(rng, cat.WATCH_INDUSTRIES)} {form}")  # a former name
    return f"{stem} {industry} {form}", aliases, country, "organization"


def _listed_vessel(rng: np.random.Generator) -> tuple[str, list[str], str, str]:
    first, second = cat.VESSEL_WORDS
    aliases = [f"{_pick(rng, first)} {_pick(rng, second)}"] if rng.random() < 0.5 else []
    return f"{_pick(rng, first)} {_pick(rng, second)}", aliases, _pick(rng, cat.FLAGS), "vessel"


def listed_parties(rng: np.random.Generator) -> pl.DataFrame:
    """200 fictional listed parties: 100 persons, 85 organizations, 15 vessels."""
    lists = one(weighted(cat.LISTS))
    rows, seen = [], set()
    for make in (_listed_person,) * 100 + (_listed_organization,) * 85 + (_listed_vessel,) * 15:
        name, aliases, country, kind = make(rng)
        while name in seen:
            name, aliases, country, kind = make(rng)
        seen.add(name)
        aliases = [alias for alias in dict.fromkeys(aliases) if alias != name]
        rows.append((f"WL-{len(rows) + 1:04d}", name, ";".join(aliases) or None, country, kind, lists.take(rng, zeros(1))[0]))
    return pl.DataFrame(rows, schema=["id", "name", "aliases", "country", "kind", "list"], orient="row")


def lookalikes(rng: np.random.Generator, parties: dict, chosen: np.ndarray, listed: pl.DataFrame) -> list[tuple[str, int, str]]:
    """The consignor's or consignee's name replaced by a variant of a listed person or organisation."""
    entries = listed.filter(pl.col("kind") != "vessel").rows(named=True)
    taboo = {name.lower() for name in listed["name"]} | {
        alias.lower() for aliases in listed["aliases"].drop_nulls() for alias in aliases.split(";")}
    on_consignor = rng.random(len(chosen)) < 0.6
    rows, names = [], []
    for c, consignor in zip(chosen, on_consignor, strict=True):
        entry = entries[rng.integers(len(entries))]
        variant, how = _lookalike(rng, entry["name"], taboo)
        party = "consignor" if consignor else "consignee"
        names.append(variant)
        rows.append(("listed_party_lookalike", c,
                     f"{party} name '{variant}' is a variant ({how}) of watch-list entry {entry['id']} '{entry['name']}'"))
    names = np.array(names, dtype=object)
    parties["consignor_name"].scatter(chosen[on_consignor], pl.Series(names[on_consignor], dtype=pl.String))
    parties["consignee_name"].scatter(chosen[~on_consignor], pl.Series(names[~on_consignor], dtype=pl.String))
    return rows


def _split_form(name: str) -> tuple[list[str], str]:
    """Name tokens before the legal form, and the legal form ('' for none)."""
    form = next((f for f in _FORMS if name.endswith(" " + f)), "")
    return name[: len(name) - len(form)].split(), form


def _join(tokens: list[str], form: str) -> str:
    return " ".join(tokens + ([form] if form else []))


def _typo(rng: np.random.Generator, name: str) -> str:
    tokens, form = _split_form(name)
    i = max(range(len(tokens)), key=lambda k: (len(tokens[k]) >= 4, rng.random()))
    word = tokens[i]
    j = int(rng.integers(1, max(len(word) - 1, 2)))
    edits = [word[:j] + word[j + 1:], word[:j] + word[j] + word[j:], word[:j - 1] + word[j] + word[j - 1] + word[j + 1:]]
    tokens[i] = next(edit for edit in edits[int(rng.integers(3)):] + edits if edit != word)
    return _join(tokens, form)


def _token_order(rng: np.random.Generator, name: str) -> str | None:
    tokens, form = _split_form(name)
    return _join(tokens[-1:] + tokens[:-1], form) if len(tokens) > 1 else None


def _legal_form(rng: np.random.Generator, name: str) -> str | None:
    tokens, form = _split_form(name)
    return _join(tokens, _pick(rng, cat.LEGAL_VARIANTS[form])) if form else None


def _initial(rng: np.random.Generator, name: str) -> str | None:
    tokens, form = _split_form(name)
    if form:
        return None
    if len(tokens) < 3:
        return " ".join([tokens[0], f"{chr(65 + rng.integers(26))}.", *tokens[1:]])
    middle = [] if rng.random() < 0.5 else [tokens[1][0] + "."]
    return " ".join([tokens[0], *middle, *tokens[2:]])


def _transliteration(rng: np.random.Generator, name: str) -> str | None:
    tokens = name.split()
    variable = [i for i, token in enumerate(tokens) if _TRANSLIT.get(token)]
    if not variable:
        return None
    i = variable[rng.integers(len(variable))]
    tokens[i] = _TRANSLIT[tokens[i]][rng.integers(len(_TRANSLIT[tokens[i]]))]
    return " ".join(tokens)


_VARIATIONS = {"typo": _typo, "token order": _token_order, "legal form": _legal_form,
               "initial": _initial, "transliteration": _transliteration}


def _lookalike(rng: np.random.Generator, name: str, taboo: set[str]) -> tuple[str, str]:
    """A variant of `name` that is no listed name or alias, and how it was made."""
    while True:
        for how in rng.permutation(list(_VARIATIONS)):
            variant = _VARIATIONS[str(how)](rng, name)
            if variant and variant.lower() not in taboo:
                return variant, str(how)
