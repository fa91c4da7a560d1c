"""Column kinds of a table, user overrides, and conversion to SDV metadata."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from synth_core.errors import SchemaError


class ColumnKind(StrEnum):
    """What a column holds, in the user's words."""

    NUMERICAL = "numerical"
    CATEGORICAL = "categorical"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    ID = "id"
    PII = "pii"


class PiiType(StrEnum):
    """Kinds of personal data we can detect and replace with fake values."""

    NAME = "name"
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    EMAIL = "email"
    PHONE_NUMBER = "phone_number"
    ADDRESS = "address"
    CITY = "city"
    POSTCODE = "postcode"
    SSN = "ssn"
    CREDIT_CARD_NUMBER = "credit_card_number"
    IP_ADDRESS = "ip_address"
    IBAN = "iban"
    URL = "url"
    USER_NAME = "user_name"  # a handle on a social network or a login


# SDV sdtypes for our PII types (Faker-backed anonymized sdtypes in SDV 2.0).
SDV_PII_SDTYPES: Mapping[PiiType, str] = {
    PiiType.NAME: "name",
    PiiType.FIRST_NAME: "first_name",
    PiiType.LAST_NAME: "last_name",
    PiiType.EMAIL: "email",
    PiiType.PHONE_NUMBER: "phone_number",
    PiiType.ADDRESS: "address",
    PiiType.CITY: "city",
    PiiType.POSTCODE: "postcode",
    PiiType.SSN: "ssn",
    PiiType.CREDIT_CARD_NUMBER: "credit_card_number",
    PiiType.IP_ADDRESS: "ipv4_address",
    PiiType.IBAN: "iban",
    PiiType.URL: "url",
    PiiType.USER_NAME: "user_name",
}

# Kinds a generator models; the others are handled around it (PII faked, IDs renumbered).
MODELLED_KINDS = frozenset(
    {ColumnKind.NUMERICAL, ColumnKind.CATEGORICAL, ColumnKind.DATETIME, ColumnKind.BOOLEAN}
)


@dataclass(frozen=True)
class ColumnSchema:
    """One column: its kind and what is needed to read and write it back faithfully."""

    name: str
    kind: ColumnKind
    pii_type: PiiType | None = None
    # numerical: stored as nullable Int64 when every value is a whole number written without a
    # decimal point; ``decimals`` is the number of digits after the point seen in the input.
    integer: bool = False
    decimals: int | None = None
    # numerical: every value was written with exactly this many digits after the point
    # (amounts such as 8095.20, 13.00; ``decimals`` is what the values need: 2 and 0): written
    # back the same way.
    written_decimals: int | None = None
    # datetime: format used to read the text, and the (possibly unpadded) format to write it.
    datetime_format: str | None = None
    datetime_output: str | None = None
    # boolean: how true and false were spelled in the input.
    true_token: str | None = None
    false_token: str | None = None
    # How the file spelled this column's missing cells ('?', 'n/a'; '' for an empty cell) and
    # in how many rows each: written back the same way, in the same shares.
    missing_spellings: tuple[tuple[str, int], ...] = ()
    # In words, why the column got this kind (shown on the Data page).
    reason: str = ""

    def __post_init__(self) -> None:
        if self.kind is ColumnKind.PII and self.pii_type is None:
            raise SchemaError(
                f"Column '{self.name}' is marked PII: choose which kind of PII it is."
            )
        if self.kind is not ColumnKind.PII and self.pii_type is not None:
            object.__setattr__(self, "pii_type", None)

    @property
    def label(self) -> str:
        """The kind as shown to users, e.g. 'pii:email'."""
        if self.kind is ColumnKind.PII and self.pii_type is not None:
            return f"pii:{self.pii_type.value}"
        return self.kind.value


@dataclass(frozen=True)
class ColumnOverride:
    """What the user chose for a column on the Data page or on the command line."""

    kind: ColumnKind
    pii_type: PiiType | None = None
    datetime_format: str | None = None

    @property
    def label(self) -> str:
        """The override as text: 'numerical', 'pii:email', 'datetime:%d/%m/%Y'."""
        if self.kind is ColumnKind.PII and self.pii_type is not None:
            return f"pii:{self.pii_type.value}"
        if self.kind is ColumnKind.DATETIME and self.datetime_format:
            return f"datetime:{self.datetime_format}"
        return self.kind.value

    @classmethod
    def parse(cls, label: str) -> ColumnOverride:
        """Parse 'numerical', 'pii:email' or 'datetime:%d/%m/%Y'."""
        head, _, tail = label.strip().partition(":")
        try:
            kind = ColumnKind(head.strip().lower())
        except ValueError:
            kinds = ", ".join(k.value for k in ColumnKind)
            raise SchemaError(f"Unknown column kind '{head}'. Use one of: {kinds}.") from None
        if kind is ColumnKind.PII:
            if not tail:
                types = ", ".join(t.value for t in PiiType)
                raise SchemaError(f"Say which PII type, e.g. 'pii:email'. Types: {types}.")
            try:
                return cls(kind, pii_type=PiiType(tail.strip().lower()))
            except ValueError:
                types = ", ".join(t.value for t in PiiType)
                raise SchemaError(f"Unknown PII type '{tail}'. Use one of: {types}.") from None
        if kind is ColumnKind.DATETIME and tail:
            return cls(kind, datetime_format=tail)
        return cls(kind)


@dataclass(frozen=True)
class Schema:
    """The columns of a table, in order."""

    columns: tuple[ColumnSchema, ...]

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise SchemaError("Column names must be unique.")

    def __iter__(self) -> Iterator[ColumnSchema]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    def __contains__(self, name: object) -> bool:
        return any(c.name == name for c in self.columns)

    def __getitem__(self, name: str) -> ColumnSchema:
        for column in self.columns:
            if column.name == name:
                return column
        raise SchemaError(f"There is no column '{name}' in the table.")

    def get(self, name: str, default: ColumnSchema | None = None) -> ColumnSchema | None:
        return next((c for c in self.columns if c.name == name), default)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def of_kind(self, *kinds: ColumnKind) -> list[ColumnSchema]:
        return [c for c in self.columns if c.kind in kinds]

    def with_column(self, column: ColumnSchema) -> Schema:
        if column.name not in self:
            raise SchemaError(f"There is no column '{column.name}' in the table.")
        return Schema(tuple(column if c.name == column.name else c for c in self.columns))

    def without(self, names: Iterable[str]) -> Schema:
        dropped = set(names)
        return Schema(tuple(c for c in self.columns if c.name not in dropped))

    def to_sdv_metadata(self, table_name: str = "table") -> dict[str, Any]:
        """SDV 2.0 single-table metadata as a dict (``Metadata.load_from_dict``).

        Datetime columns are expected as datetime64 values (we convert text ourselves), so no
        ``datetime_format`` is given; PII columns become Faker-backed sdtypes.
        """
        columns: dict[str, dict[str, Any]] = {}
        for column in self.columns:
            if column.kind is ColumnKind.PII:
                assert column.pii_type is not None
                columns[column.name] = {"sdtype": SDV_PII_SDTYPES[column.pii_type], "pii": True}
            else:
                columns[column.name] = {"sdtype": column.kind.value}
        table: dict[str, Any] = {"columns": columns}
        ids = [c.name for c in self.columns if c.kind is ColumnKind.ID]
        if len(ids) == 1:
            table["primary_key"] = ids[0]
        return {"tables": {table_name: table}, "relationships": [], "METADATA_SPEC_VERSION": "V1"}
