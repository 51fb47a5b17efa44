"""Text to features: scikit-learn-equal analyzers, fit-time counting, the fitted feature space
and the per-word tables that make vectorising a request a few dict lookups."""
