"""uof: use-of-force recording for UK police forces."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from uof.config import Settings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the ``UOF_*`` environment; ``test_config`` overrides Flask settings in tests."""
    settings = Settings.from_env()
    app = Flask(__name__, instance_path=str(settings.instance_path), instance_relative_config=True)
    app.config.from_mapping(settings.flask_config())
    if test_config is not None:
        app.config.update(test_config)
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    if settings.proxy_hops:
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    from uof import cli, compression, errors, logs, security, uktime
    from uof.database import configure_engine
    from uof.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True)
    with app.app_context():
        configure_engine(db.engine)
    # First of the request hooks, so that a request another hook turns away is logged with its id too.
    logs.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    # Login is checked before CSRF so that an anonymous API call gets 401, never a CSRF error.
    security.init_app(app)
    csrf.init_app(app)
    errors.init_app(app)
    uktime.init_app(app)
    compression.init_app(app)

    from uof.services import dispatch, push

    push.init_app(app)
    dispatch.init_app(app)

    from uof.admin import bp as admin_bp
    from uof.alerts import bp as alerts_bp
    from uof.api import bp as api_bp
    from uof.audit_viewer import bp as audit_viewer_bp
    from uof.auth import bp as auth_bp
    from uof.dashboards import bp as dashboards_bp
    from uof.governance import bp as governance_bp
    from uof.health import bp as health_bp
    from uof.public import bp as public_bp
    from uof.pwa import bp as pwa_bp
    from uof.record import bp as record_bp
    from uof.review import bp as review_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(record_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(pwa_bp)
    app.register_blueprint(dashboards_bp)
    app.register_blueprint(governance_bp)
    app.register_blueprint(alerts_bp, url_prefix="/alerts")
    app.register_blueprint(review_bp, url_prefix="/review")
    app.register_blueprint(audit_viewer_bp)
    app.register_blueprint(public_bp, url_prefix="/public")
    cli.init_app(app)
    return app
