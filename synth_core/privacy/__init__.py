"""Privacy: PII replacement and (later) leakage metrics and filters."""
