"""Benchmarks of the tray app: latency, server cost, footprint, start-up, the list window.

They measure and report; they never fail a test run. ``tests/bench/run`` runs them on
the headless desktop against the reference server and writes artifacts/bench/.
"""
