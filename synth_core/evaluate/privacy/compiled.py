"""Imported by the worker server (``synth_core.jobs``' preload list), never by pages: compiles
Anonymeter's numba functions once, so that every job forked from the server has them compiled.
Measured on the taxi table (6,433 rows, 14 columns): the three attacks took 10.7 s in a fresh
process and 4.9 s once compiled; each Privacy page job is a fresh fork, so each paid the
difference."""

import logging

from synth_core.evaluate.privacy.risk import compile_attacks

try:
    compile_attacks()
except Exception:  # the server must start anyway: a job then compiles on its first call
    logging.getLogger(__name__).exception("compiling Anonymeter's attacks failed")
