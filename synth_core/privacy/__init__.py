"""Privacy: personal data, leakage metrics against a holdout, filters, attacks, DP curves."""
