"""The exceptions a user can cause, each with a one-line message saying what to do."""

from __future__ import annotations


class SynthCoreError(Exception):
    """Base class: something about the input or the settings that the user can fix."""


class InputError(SynthCoreError):
    """The uploaded file cannot be read as a table."""


class LimitError(InputError):
    """The input is larger than the configured limits."""


class SchemaError(SynthCoreError):
    """A column kind or override does not fit the data."""


class GeneratorError(SynthCoreError):
    """A generator is unknown, unavailable, badly configured or failed on the data."""


class ParamError(GeneratorError):
    """A generator parameter is unknown or out of range."""


class GeneratorUnavailableError(GeneratorError):
    """The generator needs an optional package that is not installed."""


class SpecError(SynthCoreError):
    """The generation settings (rows, seed, privacy, holdout) are not usable."""


class ExportError(SynthCoreError):
    """The synthetic table cannot be written in the requested format."""


class JobError(SynthCoreError):
    """A background job could not be started or was not found."""


class JobCancelledError(JobError):
    """The user cancelled the job."""
