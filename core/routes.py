"""Blueprints of the core package: home and health, sign-in, account administration, learner register.

Views have four beats: parse, call a service, commit, respond.
"""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from core import auth, home, reseaux, services, versions
from core.access import get_in_structure_or_404, public, roles_required
from core.bounds import id_value, page_number
from core.comptes import desactives_pour_inactivite
from core.errors import DomainError
from core.forms import (
    AjoutStructureForm,
    ApprenantForm,
    ApprenantSearchForm,
    CalendrierStructureForm,
    CompteForm,
    ExportApprenantsForm,
    LoginForm,
    ReseauForm,
    RetraitStructureForm,
    reprendre,
)
from core.francais import de
from core.models import Apprenant, Compte, Reseau
from core.ouverture import Ouverture
from core.queries import comptes_of_structure, paginate_apprenants, paginate_journal
from core.timeutil import structure_today, structure_zone, to_local, utcnow
from extensions import db, limiter

main_bp = Blueprint("main", __name__)
auth_bp = Blueprint("auth", __name__)
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")
apprenants_bp = Blueprint("apprenants", __name__, url_prefix="/apprenants")

JOURNAL_OBJET = re.compile(r"[a-z_]{1,40}")
STAFF = ("admin", "mediateur", "benevole", "direction", "coordination")
REGISTER_READERS = ("admin", "mediateur", "direction")
REGISTER_WRITERS = ("admin", "mediateur")
# Who may download the register as a file (pilotage.exports_routes): a copy of names and phone numbers that
# leaves the app's access rules, so only those who call and place learners; direction reads it on screen.
REGISTER_EXPORTERS = ("admin", "mediateur")


@main_bp.get("/")
@roles_required(*STAFF)
def index():
    return render_template(
        "main/index.html", board=home.board_for(current_user, structure_today(current_user.structure))
    )


@main_bp.get("/healthz")
@public
@limiter.exempt
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        current_app.logger.exception("health check: database unreachable")
        return jsonify(status="error", database="error"), 503
    return jsonify(status="ok", database="ok")


def _safe_next(target: str | None) -> str:
    """Only a path of this site is followed after sign-in, never another site nor a broken header.

    Refused, for the home page: anything not starting with one "/", a scheme or a host (``//evil.example``,
    ``/\\evil.example`` which browsers read as ``//``), and any control character (CR/LF would split the
    Location header).
    """
    if (
        target
        and len(target) <= 2000
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
        and not urlsplit(target).netloc
        and not urlsplit(target).scheme
    ):
        return target
    return url_for("main.index")


def _render_login(form, status: int = 200):
    return render_template("auth/login.html", form=form), status


@auth_bp.route("/connexion", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    if auth.ended_for_inactivity():
        flash(auth.idle_message(), "info")
    form = LoginForm()
    if not form.validate_on_submit():
        return _render_login(form)
    now, email = utcnow(), form.email.data
    known_browser = auth.email_key(email) in auth.known_browser_keys(request.cookies.get(auth.KNOWN_BROWSER_COOKIE))
    locked_until = None if known_browser else auth.sign_in_locked_until(email, now)
    if locked_until is not None:
        reopens = to_local(locked_until + timedelta(seconds=59))  # the minute it is open again
        form.form_errors.append(
            "Trop d'échecs de connexion pour ce compte : par sécurité, la connexion depuis un nouveau poste est "
            f"suspendue jusqu'à {reopens.hour} h {reopens.minute:02d}. Depuis un poste où vous avez déjà ouvert "
            "une session, elle reste possible ; en cas d'oubli, demandez à l'administrateur de votre structure."
        )
        return _render_login(form, 429)
    compte = auth.authenticate(email, form.password.data)
    if compte is None:
        if not known_browser:
            auth.record_failure(email, now)
        db.session.commit()
        form.password.errors.append("Adresse électronique ou mot de passe incorrect.")
        return _render_login(form)
    next_url = _safe_next(request.args.get("next"))
    if compte.has_totp:
        # The password was right: the code from the app comes next (core.comptes_routes.code).
        session.clear()
        session[SECOND_FACTEUR] = {"compte_id": compte.id, "at": now.isoformat(), "next": next_url}
        return redirect(url_for("comptes.code"))
    return finish_sign_in(compte, email, next_url)


SECOND_FACTEUR = "second_facteur"


def finish_sign_in(compte: Compte, email: str, next_url: str):
    """Open the signed-in session of ``compte`` (after the password, and the code when it has TOTP), commit,
    and answer: the page ``next_url`` with the known-browser cookie for ``email`` renewed."""
    session.clear()  # a new session on sign-in: nothing from before survives
    compte.last_login_at = utcnow()
    auth.open_connexion(compte, current_app.permanent_session_lifetime)
    login_user(compte)
    db.session.commit()
    response = redirect(next_url)
    response.set_cookie(
        auth.KNOWN_BROWSER_COOKIE,
        auth.known_browser_cookie(request.cookies.get(auth.KNOWN_BROWSER_COOKIE), email),
        max_age=auth.KNOWN_BROWSER_DAYS * 86400,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


@auth_bp.errorhandler(429)
def login_rate_limited(_error):
    form = LoginForm()
    form.email.data = request.form.get("email", "")
    form.form_errors.append(
        "Trop de tentatives de connexion depuis ce poste. Patientez une minute, puis réessayez. "
        "En cas d'oubli du mot de passe, demandez à l'administrateur de votre structure."
    )
    return render_template("auth/login.html", form=form), 429


@auth_bp.post("/deconnexion")
@roles_required(*STAFF)
def logout():
    auth.close_connexion(current_user.connexion_token)
    db.session.commit()
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("auth.login"))


@admin_bp.get("/comptes")
@roles_required("admin")
def comptes():
    return render_template(
        "admin/comptes.html",
        comptes=comptes_of_structure(current_user.structure_id),
        desactives=desactives_pour_inactivite(current_user.structure_id),
    )


@admin_bp.route("/comptes/nouveau", methods=["GET", "POST"])
@roles_required("admin")
def compte_nouveau():
    form = CompteForm(is_new=True)
    if form.validate_on_submit():
        try:
            compte = services.create_compte(current_user, form.to_data())
        except DomainError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(f"Compte {de(compte.prenom)} créé.", "success")
            return redirect(url_for("admin.comptes"))
    return render_template("admin/compte_form.html", form=form, compte=None)


@admin_bp.route("/comptes/<int:compte_id>", methods=["GET", "POST"])
@roles_required("admin")
def compte_modifier(compte_id: int):
    compte = get_in_structure_or_404(Compte, compte_id)
    form = CompteForm(obj=compte)
    if request.method == "GET":
        form.version.data = versions.jeton(services.instantane_compte(compte))
    if form.validate_on_submit():
        data = form.to_data()
        try:
            changed = services.update_compte(current_user, compte, data, vu=versions.lire(form.version.data))
        except versions.ModifieEntreTemps as conflit:
            db.session.rollback()
            form, changements = reprendre(
                conflit,
                {name: data[name] for name in services.CHAMPS_COMPTE},
                dict,
                lambda valeurs: CompteForm(formdata=None, data=valeurs),
                zone=structure_zone(current_user.structure),
            )
            if data["password"]:
                form.password.errors = ["Saisissez à nouveau le mot de passe : il n'est jamais réaffiché."]
            page = render_template(
                "admin/compte_form.html", form=form, compte=compte, conflit=conflit, changements=changements
            )
            return page, 409
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash("Compte mis à jour." if changed else "Aucune modification.", "success")
            return redirect(url_for("admin.comptes"))
    return render_template("admin/compte_form.html", form=form, compte=compte)


@admin_bp.route("/structure", methods=["GET", "POST"])
@roles_required("admin")
def structure():
    structure = current_user.structure
    annee = structure_today(structure).year
    form = CalendrierStructureForm(
        data=CalendrierStructureForm.initial_data(structure), actuelle=structure.subdivision_feries, annee=annee
    )
    conflit = changements = None
    if request.method == "GET":
        form.version.data = versions.jeton(services.instantane_calendrier(structure))
    if form.validate_on_submit():
        data = form.to_data()
        try:
            changed = services.modifier_calendrier(current_user, structure, data, vu=versions.lire(form.version.data))
        except versions.ModifieEntreTemps as erreur:
            db.session.rollback()
            structure, conflit = current_user.structure, erreur
            form, changements = reprendre(
                conflit,
                data,
                lambda valeurs: CalendrierStructureForm.initial_data(SimpleNamespace(**valeurs)),
                lambda valeurs: CalendrierStructureForm(
                    formdata=None, data=valeurs, actuelle=structure.subdivision_feries, annee=annee
                ),
                zone=structure_zone(structure),
            )
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash("Paramètres de la structure enregistrés." if changed else "Aucune modification.", "success")
            return redirect(url_for("admin.structure"))
    ouverture = Ouverture(structure.subdivision_feries, frozenset(structure.feries_travailles or ()))
    page = render_template(
        "admin/structure.html",
        form=form,
        structure=structure,
        annee=annee,
        feries=ouverture.feries_annee(annee),
        conflit=conflit,
        changements=changements,
    )
    return page, 409 if conflit else 200


@admin_bp.get("/journal")
@roles_required("admin")
def journal():
    objet = request.args.get("objet", "")
    objet = objet if JOURNAL_OBJET.fullmatch(objet) else None  # a code such as "apprenant", nothing else
    objet_id = request.args.get("objet_id", type=id_value)
    pagination = paginate_journal(
        current_user.structure_id, request.args.get("page", 1, type=page_number), 50, objet, objet_id
    )
    return render_template("admin/journal.html", pagination=pagination, objet=objet, objet_id=objet_id)


def _render_reseau(creation=None, ajout=None, retrait=None):
    """The network page of the admin's structure: the network it heads (members, add, remove), the one it
    belongs to (read only), or the form to create one."""
    structure = current_user.structure
    reseau = db.session.get(Reseau, structure.reseau_id) if structure.reseau_id else None
    return render_template(
        "admin/reseau.html",
        structure=structure,
        reseau=reseau,
        membres=reseaux.membres(reseau.id) if reseau else [],
        creation=creation or ReseauForm(formdata=None),
        ajout=ajout or AjoutStructureForm(formdata=None, structures=reseaux.structures_sans_reseau()),
        retrait=retrait or RetraitStructureForm(formdata=None),
    )


@admin_bp.get("/reseau")
@roles_required("admin")
def reseau():
    return _render_reseau()


@admin_bp.post("/reseau")
@roles_required("admin")
def reseau_creer():
    form = ReseauForm()
    if form.validate_on_submit():
        try:
            created = reseaux.creer_reseau(current_user, form.nom.data)
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(f"Réseau « {created.nom} » créé : votre structure en est la tête.", "success")
            return redirect(url_for("admin.reseau"))
    return _render_reseau(creation=form)


@admin_bp.post("/reseau/ajouter")
@roles_required("admin")
def reseau_ajouter():
    form = AjoutStructureForm(structures=reseaux.structures_sans_reseau())
    if form.validate_on_submit():
        try:
            ajoutee = reseaux.ajouter_structure(current_user, form.structure_id.data)
        except DomainError as error:
            db.session.rollback()
            form.structure_id.errors.append(error.message)
        else:
            db.session.commit()
            flash(f"{ajoutee.nom} fait maintenant partie du réseau.", "success")
            return redirect(url_for("admin.reseau"))
    return _render_reseau(ajout=form)


@admin_bp.post("/reseau/retirer")
@roles_required("admin")
def reseau_retirer():
    form = RetraitStructureForm()
    if form.validate_on_submit():
        try:
            retiree = reseaux.retirer_structure(current_user, form.structure_id.data)
        except DomainError as error:
            db.session.rollback()
            form.structure_id.errors.append(error.message)
        else:
            db.session.commit()
            flash(f"{retiree.nom} ne fait plus partie du réseau.", "success")
            return redirect(url_for("admin.reseau"))
    return _render_reseau(retrait=form)


@apprenants_bp.route("/", methods=["GET", "POST"])
@roles_required(*REGISTER_READERS)
def liste():
    """The register page by page (GET ``?page=``); a search is POSTed, its result pages too.

    Names and phone numbers typed in the search never go into a URL, where access logs, proxies and the
    browser's history would keep them (DESIGN.md section 7). The search changes nothing, so its answer is
    the page itself, not a redirect (which would need the terms in the URL or the cookie).
    """
    search = ApprenantSearchForm()
    query = search.q.data if search.validate_on_submit() else None
    return afficher_liste(search, query)


def afficher_liste(search: ApprenantSearchForm, query: str | None, export: ExportApprenantsForm | None = None):
    """The register page (``?page=`` or the POSTed page) for ``query``, journaled, with the form that downloads
    it for the accounts that may (``export``, to show one with its errors: the export view's bad input)."""
    page = request.values.get("page", 1, type=page_number)
    pagination = paginate_apprenants(current_user.structure_id, query, page, current_app.config["APPRENANTS_PER_PAGE"])
    vue = "recherche" if query else "liste"
    services.record_apprenant_view(current_user, None, f"{vue}, page {pagination.page}")
    db.session.commit()
    if export is None and current_user.role in REGISTER_EXPORTERS:
        export = ExportApprenantsForm(formdata=None, prefix=ExportApprenantsForm.PREFIX, q=query or "")
    return render_template("apprenants/liste.html", search=search, pagination=pagination, query=query, export=export)


def _render_apprenant_form(form, apprenant=None, candidates=()):
    return render_template("apprenants/form.html", form=form, apprenant=apprenant, candidates=candidates)


@apprenants_bp.route("/nouveau", methods=["GET", "POST"])
@roles_required(*REGISTER_WRITERS)
def nouveau():
    form = ApprenantForm()
    if form.validate_on_submit():
        try:
            apprenant = services.create_apprenant(current_user, form.to_data(), form.confirmer_doublon.data)
        except services.PossibleDuplicate as duplicate:
            return _render_apprenant_form(form, candidates=duplicate.candidates)
        db.session.commit()
        flash(f"Fiche {de(apprenant.prenom)} enregistrée.", "success")
        return redirect(url_for("apprenants.detail", apprenant_id=apprenant.id))
    return _render_apprenant_form(form)


@apprenants_bp.get("/<int:apprenant_id>")
@roles_required(*REGISTER_READERS)
def detail(apprenant_id: int):
    apprenant = get_in_structure_or_404(Apprenant, apprenant_id)
    history = home.apprenant_history(apprenant.id)
    services.record_apprenant_view(current_user, apprenant.id, "fiche")
    db.session.commit()
    return render_template("apprenants/detail.html", apprenant=apprenant, **history)


@apprenants_bp.route("/<int:apprenant_id>/modifier", methods=["GET", "POST"])
@roles_required(*REGISTER_WRITERS)
def modifier(apprenant_id: int):
    apprenant = get_in_structure_or_404(Apprenant, apprenant_id)
    form = ApprenantForm(data=ApprenantForm.initial_data(apprenant))
    if request.method == "GET":
        form.version.data = versions.jeton(services.instantane_apprenant(apprenant))
    if form.validate_on_submit():
        data = form.to_data()
        try:
            changed = services.update_apprenant(
                current_user,
                apprenant,
                data,
                form.confirmer_doublon.data,
                vu=versions.lire(form.version.data),
                confirm_sans_disponibilite=form.sans_disponibilite.data,
            )
        except services.SansDisponibilite as sans:
            db.session.rollback()
            form.disponibilites.errors = [*form.disponibilites.errors, sans.message]
            return render_template("apprenants/form.html", form=form, apprenant=apprenant, sans_disponibilite=True)
        except versions.ModifieEntreTemps as conflit:
            db.session.rollback()
            form, changements = reprendre(
                conflit,
                {name: data[name] for name in services.CHAMPS_FICHE},
                lambda valeurs: ApprenantForm.initial_data(SimpleNamespace(**valeurs)),
                lambda valeurs: ApprenantForm(formdata=None, data=valeurs),
                zone=structure_zone(current_user.structure),
            )
            page = render_template(
                "apprenants/form.html", form=form, apprenant=apprenant, conflit=conflit, changements=changements
            )
            return page, 409
        except services.PossibleDuplicate as duplicate:
            return _render_apprenant_form(form, apprenant, duplicate.candidates)
        db.session.commit()
        flash("Fiche mise à jour." if changed else "Aucune modification.", "success")
        return redirect(url_for("apprenants.detail", apprenant_id=apprenant.id))
    return _render_apprenant_form(form, apprenant)
