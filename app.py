"""Application factory. ``create_app`` reads as a table of contents and has no side effects:
no scheduler, no migrations, no network (DESIGN.md section 3)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

import config as config_module
from extensions import csrf, db, limiter, login_manager, migrate


def create_app(config: dict | None = None) -> Flask:
    """Build the application; ``config`` overrides what the environment gives (tests pass their own)."""
    settings = config_module.from_environment()
    settings.update(config or {})
    app = Flask(__name__, instance_path=settings["INSTANCE_PATH"], instance_relative_config=False)
    app.config.update(settings)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config_module.load_secret_key(Path(app.instance_path))

    register_proxies(app)
    register_extensions(app)
    register_models()
    register_security(app)
    register_url_converters(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_proxies(app: Flask) -> None:
    """Behind ``PROXY_COUNT`` reverse proxies, take the client's address and scheme from the headers they add.

    Only that many hops of X-Forwarded-For and X-Forwarded-Proto are trusted (werkzeug's ProxyFix), so a
    client cannot pose as another address to the login limit; with 0 (the default) the headers are ignored.
    """
    count = int(app.config.get("PROXY_COUNT") or 0)
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def register_extensions(app: Flask) -> None:
    import core.database  # SQLite pragmas on every connection

    db.init_app(app)
    core.database.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)


def register_models() -> None:
    """Import every model module so metadata (and Alembic) sees the whole schema."""
    import ateliers.models  # noqa: F401
    import attestations.models  # noqa: F401
    import core.journal
    import core.models  # noqa: F401
    import entrainements.models  # noqa: F401
    import evaluations.models  # noqa: F401


def register_security(app: Flask) -> None:
    from core import access, auth, security

    auth.init_login_manager(login_manager)
    access.register_access_guard(app)
    security.register_headers(app)


def register_url_converters(app: Flask) -> None:
    """Every ``<int:...>`` of every rule takes ids from 1 to 2^31 - 1 only (before the rules are added)."""
    from core.bounds import IdConverter

    app.url_map.converters["int"] = IdConverter


def register_blueprints(app: Flask) -> None:
    from ateliers import fournisseurs
    from ateliers.cloture import atelier_cloture
    from ateliers.queries import inscriptions_of, seances_animees
    from ateliers.rappels import nombre_a_rappeler_statement, suivis_of
    from ateliers.routes import ateliers_bp, attente_bp, groupes_bp
    from attestations import services as attestations_services
    from attestations.routes import attestations_bp
    from core import home, information_routes  # noqa: F401  (information_routes: views on the core blueprints)
    from core.comptes_routes import comptes_bp
    from core.messagerie.routes import messages_bp
    from core.routes import admin_bp, apprenants_bp, auth_bp, main_bp
    from entrainements import vue_plan
    from entrainements.plans import a_la_cloture
    from entrainements.routes import entrainements_bp
    from evaluations.queries import positionnements_of
    from evaluations.routes import positionnements_bp
    from pilotage import cache as pilotage_cache
    from pilotage.exports_routes import exports_bp
    from pilotage.reseau_routes import reseau_bp
    from pilotage.routes import pilotage_bp
    from rgpd.routes import rgpd_bp

    home.HISTORY_PROVIDERS.update(positionnements=positionnements_of, inscriptions=inscriptions_of, suivis=suivis_of)
    home.SEANCES_PROVIDER, home.A_RAPPELER_PROVIDER = seances_animees, nombre_a_rappeler_statement
    atelier_cloture.connect(a_la_cloture)
    atelier_cloture.connect(attestations_services.a_la_cloture)
    # The closed workshop's page offers the attestations (ateliers must not import attestations): endpoints
    # taking ``atelier_id``, with their label; and what is missing to issue them.
    app.jinja_env.globals["LIENS_ATELIER_CLOS"] = (("attestations.atelier", "Attestations"),)
    fournisseurs.AVIS_ATTESTATIONS_PROVIDER = attestations_services.avis_atelier
    home.HISTORY_PROVIDERS["plans"] = vue_plan.plans_de
    fournisseurs.PLANS_PROVIDER, fournisseurs.EVOLUTION_PROVIDER = vue_plan.plans_de, vue_plan.evolution_apres_atelier

    pilotage_cache.init_app(app)
    for blueprint in (
        main_bp,
        auth_bp,
        comptes_bp,
        admin_bp,
        apprenants_bp,
        positionnements_bp,
        attente_bp,
        groupes_bp,
        ateliers_bp,
        entrainements_bp,
        messages_bp,
        attestations_bp,
        pilotage_bp,
        reseau_bp,
        exports_bp,
        rgpd_bp,
    ):
        app.register_blueprint(blueprint)


def register_template_helpers(app: Flask) -> None:
    from ateliers import constants as ateliers_constants
    from core import templating
    from evaluations import constants as evaluations_constants

    templating.register(app)
    app.jinja_env.globals.update(
        MODES_POSITIONNEMENT=evaluations_constants.MODES_POSITIONNEMENT,
        NIVEAUX=evaluations_constants.NIVEAUX,
        STATUTS_INSCRIPTION=ateliers_constants.STATUTS_INSCRIPTION,
        STATUTS_ATELIER=ateliers_constants.STATUTS_ATELIER,
        RESULTATS_SUIVI=ateliers_constants.RESULTATS_SUIVI,
        SUITES_SUIVI=ateliers_constants.SUITES_SUIVI,
    )


def register_errorhandlers(app: Flask) -> None:
    from core import security

    security.register_errorhandlers(app)


def register_commands(app: Flask) -> None:
    import commands
    import scheduler
    from attestations.commands import attestations_command
    from rgpd.commands import retention_command

    commands.register(app)
    app.cli.add_command(attestations_command)
    app.cli.add_command(retention_command)
    app.cli.add_command(scheduler.scheduler_command)
