"""Widgets: tray icon and badge, login dialog, list window, preferences dialog.

Widgets never talk to the network or the keyring: they emit intent signals that
``tray_app.app`` connects to the services.
"""
