"""Entity resolution: normalisation keys, abbreviations, curated aliases, variants, stable ids."""
from kg.resolve.resolver import Entity, Resolution, ResolutionReport, resolve  # noqa: F401
