"""`create_app(settings)`: the FastAPI service. Everything it needs is built here, once."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from bot.ai.chat import ChatModel
from bot.ai.drafting import Drafter
from bot.api import auth, builds, chat, config, deploys, fleet, health, specs, systems
from bot.api.body_limit import JsonBodyLimit
from bot.api.dependencies import ErrorDetail, Services, answer_github_refused
from bot.api.hosts import HostCheck
from bot.api.limits import RequestLimits
from bot.db.database import Database
from bot.db.migrate import upgrade_to_head
from bot.flows.handlers import default_router
from bot.intake import route
from bot.intake.delivery_store import DeliveryStore
from bot.intake.router import Router
from bot.intake.webhook_intake import IntakeActivity, WebhookIntake, WebhookSecrets
from bot.jobs.context import HandlerContext
from bot.jobs.queue import JobQueue, QueuePolicy
from bot.logs import configure_logging, log_event
from bot.ports import GitHubPort, GitHubRefused, HealthProber
from bot.settings import Settings, load_settings
from bot.wiring import adapters_from_settings, scheduler, worker_pool
from renderers.version import __version__

log = logging.getLogger("sbh.app")


def create_app(
    settings: Settings,
    *,
    database: Database | None = None,
    router: Router[HandlerContext] | None = None,
    run_worker: bool | None = None,
    chat_model: ChatModel | None = None,
    drafter: Drafter | None = None,
    github_for_installation: Callable[[int], GitHubPort] | None = None,
    prober: HealthProber | None = None,
) -> FastAPI:
    """The service. Adapters not given are chosen from `settings`; the API and the
    in-process workers share them."""
    database = database or Database(settings.database_url)
    router = router or default_router()
    adapters = adapters_from_settings(
        settings,
        database,
        github_for_installation=github_for_installation,
        drafter=drafter,
        chat=chat_model,
        prober=prober,
    )
    queue = JobQueue(database, QueuePolicy.from_settings(settings))
    start_worker = settings.worker_in_process if run_worker is None else run_worker
    activity = IntakeActivity()
    pool = (
        worker_pool(
            settings,
            database,
            adapters,
            router=router,
            intake=activity,
            defer_seconds=settings.worker_defer_seconds,
        )
        if start_worker
        else None
    )
    store = DeliveryStore(
        database,
        max_attempts=settings.job_max_attempts,
        on_queued=pool.wake if pool is not None else None,
    )
    secret = (
        settings.github_webhook_secret.get_secret_value() if settings.github_webhook_secret else ""
    )
    intake = WebhookIntake(
        store,
        router,
        WebhookSecrets(secret.encode(), settings.github_accept_sha1_signatures),
        activity,
    )
    services = Services(
        settings=settings,
        database=database,
        queue=queue,
        intake=intake,
        chat=adapters.chat,
        limits=RequestLimits.from_settings(settings),
        drafter=adapters.drafter,
        spec_work=adapters.spec_work,
        github_for_installation=adapters.github_for_installation,
        user_auth=adapters.user_auth,
    )
    periodic = scheduler(settings, database, pool) if pool is not None else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.migrate_on_start:
            upgrade_to_head(database)
        if pool is not None:
            pool.start()
        if periodic is not None:
            periodic.start()
        log_event(
            log,
            logging.INFO,
            "service.started",
            version=__version__,
            environment=settings.environment,
        )
        try:
            yield
        finally:
            store.stop()
            if periodic is not None:
                periodic.stop()
            if pool is not None:
                pool.stop()
            adapters.spec_work.close()

    docs = settings.api_docs_served
    app = Service(
        title="System Builder Hub",
        version=__version__,
        lifespan=lifespan,
        responses={
            "default": {"model": ErrorDetail, "description": "what went wrong, for a person"}
        },
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.services = services
    app.include_router(health.router)
    app.include_router(chat.router)
    app.include_router(specs.router)
    app.include_router(config.router)
    app.add_exception_handler(specs.UnusableSpec, specs.answer_unusable_spec)
    app.add_exception_handler(GitHubRefused, answer_github_refused)
    app.include_router(systems.router)
    app.include_router(deploys.router)
    app.include_router(builds.router)
    app.include_router(fleet.router)
    app.include_router(auth.router)
    # Outermost first: SecurityHeaders (Service), the webhook route (bot.intake.route, with
    # its own body limit and no use for the rest), the client's address through trusted
    # proxies, the Host check, then the JSON API's body limit, before CSRF and parsing.
    app.add_middleware(JsonBodyLimit, max_bytes=settings.max_json_bytes)
    app.add_middleware(HostCheck, settings=settings)
    if settings.trusted_proxies:
        # The right-most X-Forwarded-For hop that is not a trusted proxy is the client.
        app.add_middleware(
            ProxyHeadersMiddleware,
            trusted_hosts=[str(network) for network in settings.trusted_proxies],
        )
    app.add_middleware(
        route.WebhookRoute,
        intake=intake,
        max_bytes=settings.max_webhook_bytes,
    )
    if settings.web_dist.is_dir():
        # After every API route: the web app answers what the API does not.
        app.mount("/", StaticFiles(directory=settings.web_dist, html=True), name="web")
    return app


# The web app loads only its own scripts and styles and talks only to this origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


class Service(FastAPI):
    """FastAPI inside `SecurityHeaders`: Starlette keeps its ServerErrorMiddleware outermost
    of the middleware stack, so the 500 it answers for an unhandled error gets the headers
    only from a layer around the whole stack."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())


class SecurityHeaders:
    """Pure ASGI (no per-request task like BaseHTTPMiddleware): adds the headers to every
    response start, so the webhook hot path pays almost nothing for them."""

    HEADERS = (
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def openapi_text() -> str:
    """The OpenAPI description of the JSON API as committed in `web/openapi.json` (the web
    app's types are generated from it). No setting changes it."""
    settings = Settings.model_validate({"SBH_ENV": "development"})
    app = create_app(settings, database=Database("sqlite://"), run_worker=False)
    return json.dumps(app.openapi(), indent=2, sort_keys=True) + "\n"


def app_from_environment() -> FastAPI:
    """The uvicorn factory (`bot.app:app_from_environment`): settings from the environment,
    secrets resolved through Secrets Manager."""
    from bot.adapters.aws_secrets import SecretsManagerSource

    settings = load_settings(secrets=SecretsManagerSource())
    configure_logging(settings.log_level)
    return create_app(settings)
