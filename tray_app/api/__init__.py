"""Qt-free access to the mail-management server's REST API.

- :mod:`tray_app.api.client`: :class:`~tray_app.api.client.ApiClient`, the async client;
- :mod:`tray_app.api.models`: the frozen dataclasses it returns;
- :mod:`tray_app.api.errors`: the one exception hierarchy it raises;
- :mod:`tray_app.api.parsing`: JSON to dataclasses, tolerant of server variants;
- :mod:`tray_app.api.auth`: token helpers (expiry from the JWT payload);
- :mod:`tray_app.api.compat`: what was learned about the server's API variant.

This package module imports nothing itself, so that layers which only need the models
or errors do not load httpx: import the client from :mod:`tray_app.api.client`.
"""
