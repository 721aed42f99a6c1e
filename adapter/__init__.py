"""An OpenAI-compatible gateway to Google Vertex AI Gemini.

:func:`create_app` builds the Flask app: logging, settings, credentials, blueprints and the
error handlers. Nothing runs at import time, and importing a pure module (``adapter.translate``,
``adapter.routing``) does not import Flask: the app's parts are imported inside the factory,
as in Flask's tutorial.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .version import __version__

if TYPE_CHECKING:
    from flask import Flask

    from .settings import Settings

__all__ = ["create_app", "__version__"]


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app from ``settings`` (read from the environment when None).

    Raises :class:`~adapter.settings.SettingsError` when the configuration cannot run safely
    (for example without ``API_KEY``).
    """
    from .app import build_app
    from .settings import load_settings

    return build_app(settings or load_settings())
