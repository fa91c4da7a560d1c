"""Report values as plain JSON: no NaN or infinity (null instead), no NumPy scalars or enums."""

from __future__ import annotations

import math
from enum import Enum
from typing import Any

import numpy as np


def plain(value: Any) -> Any:
    """``value`` with dicts, lists and tuples converted recursively."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, np.generic):
        return plain(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
