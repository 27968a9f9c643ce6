"""Tests of the whole app on the headless desktop that tests/run starts."""
