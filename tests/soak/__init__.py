"""The soak test: ``python3 -m tests.soak.soak`` (not collected by pytest; see README "Reliability")."""
