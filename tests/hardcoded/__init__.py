"""Hard-coded answers per lab (``tests/hardcoded/<lab>.py``), used to prove the hidden tests bite."""
