"""Pure machine-learning estimators for topics, tone and verification (never imports monitor)."""
