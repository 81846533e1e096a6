"""The FastAPI application factory: `create_app(settings)`; nothing is read at import time."""

from __future__ import annotations

from fastapi import FastAPI

from borderwatch import __version__
from borderwatch.http.api import alerts, check, flights, lists, messages, system
from borderwatch.http.api import audit as audit_api
from borderwatch.http.api import auth as auth_api
from borderwatch.http.api import exchange as exchange_api
from borderwatch.http.api import training as training_api
from borderwatch.http.api import users as users_api
from borderwatch.http.console import install_console
from borderwatch.http.errors import install_error_handlers
from borderwatch.services.instance import Instance, open_instance
from borderwatch.settings import Settings, load_settings


def create_app(settings: Settings | None = None, *, instance: Instance | None = None) -> FastAPI:
    """Return the application for an instance (opened from `settings` when not given)."""
    instance = instance or open_instance(settings or load_settings())
    app = FastAPI(
        title="borderwatch", version=__version__, description="Border screening and border cooperation API."
    )
    app.state.instance = instance
    install_error_handlers(app)
    app.include_router(system.router)
    # Routes are matched in order: the interactive check, the most frequent call, comes first.
    app.include_router(check.router)
    app.include_router(alerts.router)
    app.include_router(flights.router)
    app.include_router(messages.router)
    app.include_router(lists.router)
    app.include_router(auth_api.router)
    app.include_router(users_api.router)
    app.include_router(audit_api.router)
    app.include_router(exchange_api.router)
    app.include_router(training_api.router)
    install_console(app, instance)  # the web console: pages, static files, security headers, CSRF
    return app


def asgi() -> FastAPI:
    """ASGI entry point for servers (`uvicorn --factory borderwatch.http.app:asgi`)."""
    return create_app(load_settings())
