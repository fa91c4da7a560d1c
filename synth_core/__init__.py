"""Synthetic Data Studio core: read tables, generate synthetic ones, compare and export them."""

from synth_core.data.checks import Level, Problem, table_problems
from synth_core.data.database import Database, Links, find_relations, read_database
from synth_core.data.io.export import csv_bytes, parquet_bytes, write_csv, write_parquet
from synth_core.data.io.reader import ReadOptions, read_table
from synth_core.data.samples import SAMPLES, SampleDataset, sample_dataset
from synth_core.data.schema import ColumnKind, ColumnOverride, ColumnSchema, PiiType, Schema
from synth_core.data.table import ReadReport, Table
from synth_core.errors import (
    ExportError,
    GeneratorError,
    GeneratorUnavailableError,
    InputError,
    JobCancelledError,
    JobError,
    LimitError,
    ParamError,
    SchemaError,
    SpecError,
    SynthCoreError,
)
from synth_core.evaluate.evaluation import Evaluation, EvaluationSettings, evaluate
from synth_core.evaluate.fidelity import Comparison, FidelityReport, compare, evaluate_fidelity
from synth_core.evaluate.linked import LinkedEvaluation, evaluate_linked
from synth_core.generate.generators import (
    GeneratorInfo,
    Param,
    ParamType,
    available,
    create,
    get,
    infos,
)
from synth_core.generate.linked import (
    LinkedMethod,
    LinkedResult,
    LinkedSpec,
    Orphans,
    synthesize_linked,
)
from synth_core.generate.protect.pii import PiiAction
from synth_core.generate.spec import GenerationSpec, PrivacySetting
from synth_core.generate.synthesize import SynthResult, split_holdout, synthesize
from synth_core.jobs import Job, JobRegistry, JobStatus, JobView
from synth_core.workflows.compare import (
    CompareSettings,
    GeneratorComparison,
    compare_generators,
)

__all__ = [
    "SAMPLES",
    "ColumnKind",
    "ColumnOverride",
    "ColumnSchema",
    "CompareSettings",
    "Comparison",
    "Database",
    "Evaluation",
    "EvaluationSettings",
    "ExportError",
    "FidelityReport",
    "GenerationSpec",
    "GeneratorComparison",
    "GeneratorError",
    "GeneratorInfo",
    "GeneratorUnavailableError",
    "InputError",
    "Job",
    "JobCancelledError",
    "JobError",
    "JobRegistry",
    "JobStatus",
    "JobView",
    "Level",
    "LimitError",
    "LinkedEvaluation",
    "LinkedMethod",
    "LinkedResult",
    "LinkedSpec",
    "Links",
    "Orphans",
    "Param",
    "ParamError",
    "ParamType",
    "PiiAction",
    "PiiType",
    "PrivacySetting",
    "Problem",
    "ReadOptions",
    "ReadReport",
    "SampleDataset",
    "Schema",
    "SchemaError",
    "SpecError",
    "SynthCoreError",
    "SynthResult",
    "Table",
    "available",
    "compare",
    "compare_generators",
    "create",
    "csv_bytes",
    "evaluate",
    "evaluate_fidelity",
    "evaluate_linked",
    "find_relations",
    "get",
    "infos",
    "parquet_bytes",
    "read_database",
    "read_table",
    "sample_dataset",
    "split_holdout",
    "synthesize",
    "synthesize_linked",
    "table_problems",
    "write_csv",
    "write_parquet",
]
