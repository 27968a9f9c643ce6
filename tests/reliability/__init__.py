"""Reliability and security: the whole app under faults, bad input and attack."""
