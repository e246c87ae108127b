"""Fixtures for the domain core: configs are built with tests/core_helpers.py
(make_config, config_dict) and the one fake clock (core_helpers.Clock)."""
from config_corpus_helpers import in_tmp  # noqa: F401  (fixture)
