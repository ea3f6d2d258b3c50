"""Wing 3 · pure engines: model → pairings, sessions, status, metrics, report."""
