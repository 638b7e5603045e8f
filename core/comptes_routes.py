"""Account pages (issue 13, item 5): the owner's password and second factor, the sign-in code, the reset link,
and the admin's actions on an account (reset link, reactivation, second factor removed, the structure's rule).

Views have four beats: parse, call a service (core.comptes), commit, respond.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from core import auth, comptes, totp
from core.access import PUBLIC, allowed_roles, get_in_structure_or_404, public, roles_required
from core.comptes_forms import BoutonForm, CodeForm, MotDePasseForm, ReinitialisationForm, SecuriteForm
from core.constants import ROLES
from core.errors import DomainError
from core.francais import de
from core.models import Compte
from core.routes import SECOND_FACTEUR, finish_sign_in
from core.timeutil import structure_zone, to_local, utcnow
from extensions import db, limiter

comptes_bp = Blueprint("comptes", __name__)

EVERY_ROLE = tuple(ROLES)
# Time allowed between the password and the code of a sign-in with a second factor.
DELAI_CODE = timedelta(minutes=5)
# What an admin who must enrol may open before enrolling.
OUVERT_AVANT_ENROLEMENT = frozenset({"comptes.totp_activer", "comptes.mon_compte", "auth.logout"})


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _cle() -> str:
    return current_app.config["SECRET_KEY"]


@comptes_bp.before_app_request
def _enrolment_first():
    """An admin of a structure requiring the second factor enrols before opening anything else."""
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static" or endpoint in OUVERT_AVANT_ENROLEMENT:
        return None
    if allowed_roles(endpoint) in (None, PUBLIC) or not current_user.is_authenticated:
        return None
    if comptes.doit_activer_totp(current_user):
        flash(
            "Votre structure demande aux administrateurs une double authentification : activez-la avant de continuer.",
            "info",
        )
        return redirect(url_for("comptes.totp_activer"))
    return None


# --- the owner's account -------------------------------------------------------------------------------------


@comptes_bp.get("/compte/")
@roles_required(*EVERY_ROLE)
def mon_compte():
    return render_template("comptes/mon_compte.html", form=BoutonForm(), code_form=CodeForm())


@comptes_bp.route("/compte/mot-de-passe", methods=["GET", "POST"])
@roles_required(*EVERY_ROLE)
@limiter.limit(_login_rate_limit, methods=["POST"])
def mot_de_passe():
    form = MotDePasseForm()
    if form.validate_on_submit():
        try:
            comptes.changer_mot_de_passe(current_user, form.actuel.data, form.nouveau.data)
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash("Mot de passe changé. Vos autres sessions ouvertes sont fermées.", "success")
            return redirect(url_for("comptes.mon_compte"))
    return render_template("comptes/mot_de_passe.html", form=form)


@comptes_bp.route("/compte/double-authentification", methods=["GET", "POST"])
@roles_required(*EVERY_ROLE)
@limiter.limit(_login_rate_limit, methods=["POST"])
def totp_activer():
    """Enrolment: the QR code and the secret in groups, confirmed by a first code from the app."""
    if current_user.has_totp:
        flash("La double authentification est déjà active pour votre compte.", "info")
        return redirect(url_for("comptes.mon_compte"))
    form = CodeForm()
    secret = comptes.secret_en_cours(current_user, _cle())
    db.session.commit()
    if form.validate_on_submit():
        try:
            comptes.confirmer_totp(current_user, form.code.data, utcnow(), _cle())
        except DomainError as error:
            db.session.rollback()
            form.code.errors.append(error.message)
        else:
            db.session.commit()
            flash(
                "Double authentification activée : à chaque connexion, le code de l'application sera demandé.",
                "success",
            )
            return redirect(url_for("comptes.mon_compte"))
    emetteur = f"Ateliers numériques ({current_user.structure.nom})"
    lien = totp.lien_application(secret, current_user.email, emetteur)
    return render_template(
        "comptes/totp_activer.html", form=form, qr_svg=_qr_svg(lien), groupes=totp.en_groupes(secret), lien=lien
    )


def _qr_svg(contenu: str) -> str:
    """The enrolment QR code as inline SVG markup (no image file, nothing sent elsewhere)."""
    import segno  # image library loaded on first use: the scheduler process never needs it

    return segno.make(contenu, error="m").svg_inline(scale=5, dark="#000", light="#fff", title="Code QR")


@comptes_bp.post("/compte/double-authentification/retirer")
@roles_required(*EVERY_ROLE)
@limiter.limit(_login_rate_limit)
def totp_retirer():
    """The owner turns the second factor off with a current code (an admin required to keep it cannot)."""
    form = CodeForm()
    if current_user.role == "admin" and current_user.structure.is_totp_admin_obligatoire:
        flash("Votre structure demande la double authentification aux administrateurs : elle reste active.", "error")
        return redirect(url_for("comptes.mon_compte"))
    if not current_user.has_totp:
        flash("La double authentification n'est pas active pour votre compte.", "info")
        return redirect(url_for("comptes.mon_compte"))
    if not form.validate_on_submit() or not comptes.verifier_code(current_user, form.code.data, utcnow(), _cle()):
        db.session.rollback()
        if not form.code.errors:
            form.code.errors.append(comptes.CODE_REFUSE)
        return render_template("comptes/mon_compte.html", form=BoutonForm(), code_form=form)
    comptes.retirer_totp(current_user, current_user)
    db.session.commit()
    flash("Double authentification retirée : seul le mot de passe sera demandé.", "success")
    return redirect(url_for("comptes.mon_compte"))


# --- sign-in: the code after the password --------------------------------------------------------------------


def _compte_en_attente(now: datetime) -> Compte | None:
    """The account whose password was right in this browser less than :data:`DELAI_CODE` ago, if it still has
    the second factor and is active."""
    attente = session.get(SECOND_FACTEUR)
    if not isinstance(attente, dict):
        return None
    try:
        depuis = datetime.fromisoformat(attente["at"])
        compte = db.session.get(Compte, int(attente["compte_id"]))
    except (KeyError, TypeError, ValueError):
        return None
    if compte is None or not compte.is_active or not compte.has_totp or not (now - DELAI_CODE < depuis <= now):
        return None
    return compte


@comptes_bp.route("/connexion/code", methods=["GET", "POST"])
@public
@limiter.limit(_login_rate_limit, methods=["POST"])
def code():
    """The second step of a sign-in with TOTP. Failed codes count toward the address's lock like failed
    passwords (core.lockout), and the per-client limit applies."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    now = utcnow()
    compte = _compte_en_attente(now)
    if compte is None:
        expire = SECOND_FACTEUR in session
        session.pop(SECOND_FACTEUR, None)
        flash(
            "Le délai pour saisir le code est dépassé : saisissez à nouveau votre adresse et votre mot de passe."
            if expire
            else "Saisissez d'abord votre adresse électronique et votre mot de passe.",
            "info",
        )
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("auth/code.html", form=form)
    known = auth.email_key(compte.email) in auth.known_browser_keys(request.cookies.get(auth.KNOWN_BROWSER_COOKIE))
    locked_until = None if known else auth.sign_in_locked_until(compte.email, now)
    if locked_until is not None:
        reopens = to_local(locked_until + timedelta(seconds=59))
        form.code.errors.append(
            "Trop d'échecs de connexion pour ce compte : par sécurité, la connexion depuis un nouveau poste est "
            f"suspendue jusqu'à {reopens.hour} h {reopens.minute:02d}."
        )
        return render_template("auth/code.html", form=form), 429
    if not comptes.verifier_code(compte, form.code.data, now, _cle()):
        db.session.rollback()
        if not known:
            auth.record_failure(compte.email, now)
        db.session.commit()
        form.code.errors.append(comptes.CODE_REFUSE)
        return render_template("auth/code.html", form=form)
    next_url = session.get(SECOND_FACTEUR, {}).get("next") or url_for("main.index")
    return finish_sign_in(compte, compte.email, next_url)


# --- the reset link ------------------------------------------------------------------------------------------


@comptes_bp.route("/reinitialisation", methods=["GET", "POST"])
@public
@limiter.limit(_login_rate_limit, methods=["POST"])
def reinitialiser():
    """Choose a new password through an admin's link (``?jeton=``: query strings stay out of the access log).

    A link that cannot be used (unknown, used, replaced, past 24 hours) gets its reason in French and changes
    nothing."""
    form = ReinitialisationForm()
    jeton = form.jeton.data if request.method == "POST" else request.args.get("jeton", "")
    form.jeton.data = jeton
    now = utcnow()
    try:
        comptes.jeton_valable(jeton, now)
    except DomainError as error:
        return render_template("auth/reinitialisation.html", form=None, refus=error.message)
    if form.validate_on_submit():
        try:
            comptes.reinitialiser(jeton, form.nouveau.data, now)
        except DomainError as error:
            db.session.rollback()
            if error.field is None:
                return render_template("auth/reinitialisation.html", form=None, refus=error.message)
            form.nouveau.errors.append(error.message)
        else:
            db.session.commit()
            flash("Mot de passe enregistré. Connectez-vous avec votre nouveau mot de passe.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reinitialisation.html", form=form, refus=None)


# --- the admin's actions on an account -----------------------------------------------------------------------


def _adresse_publique() -> str:
    return (current_app.config.get("PUBLIC_URL") or request.url_root).rstrip("/")


@comptes_bp.post("/admin/comptes/<int:compte_id>/reinitialisation")
@roles_required("admin")
def lien_reinitialisation(compte_id: int):
    """Make the account's one-time reset link: emailed when SMTP is configured, else shown once to hand over."""
    compte = get_in_structure_or_404(Compte, compte_id)
    form = BoutonForm()
    if not form.validate_on_submit():
        return redirect(url_for("admin.compte_modifier", compte_id=compte.id))
    try:
        jeton = comptes.creer_lien(current_user, compte, utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("admin.compte_modifier", compte_id=compte.id))
    db.session.commit()
    lien = f"{_adresse_publique()}{url_for('comptes.reinitialiser', jeton=jeton)}"
    envoye = comptes.lien_envoye_par_courriel(current_app.config, compte, lien)
    page = render_template(
        "admin/lien_reinitialisation.html",
        compte=compte,
        lien=None if envoye else lien,
        expire=to_local(utcnow() + comptes.DUREE_LIEN, structure_zone(current_user.structure)),
    )
    return page


@comptes_bp.post("/admin/comptes/<int:compte_id>/reactiver")
@roles_required("admin")
def reactiver(compte_id: int):
    compte = get_in_structure_or_404(Compte, compte_id)
    if BoutonForm().validate_on_submit() and comptes.reactiver(current_user, compte, utcnow()):
        db.session.commit()
        flash(f"Compte {de(compte.prenom)} réactivé.", "success")
    return redirect(url_for("admin.comptes"))


@comptes_bp.post("/admin/comptes/<int:compte_id>/double-authentification/retirer")
@roles_required("admin")
def totp_retirer_admin(compte_id: int):
    """Turn an account's second factor off (a lost phone); its owner enrols again from "Mon compte"."""
    compte = get_in_structure_or_404(Compte, compte_id)
    if BoutonForm().validate_on_submit() and comptes.retirer_totp(current_user, compte):
        db.session.commit()
        flash(f"Double authentification {de(compte.prenom)} retirée.", "success")
    return redirect(url_for("admin.compte_modifier", compte_id=compte.id))


@comptes_bp.route("/admin/securite", methods=["GET", "POST"])
@roles_required("admin")
def securite():
    structure = current_user.structure
    form = SecuriteForm(data={"is_totp_admin_obligatoire": structure.is_totp_admin_obligatoire})
    if form.validate_on_submit():
        obligatoire = form.is_totp_admin_obligatoire.data
        changed = comptes.regler_totp_admin(current_user, structure, obligatoire)
        db.session.commit()
        flash("Réglage enregistré." if changed else "Aucune modification.", "success")
        return redirect(url_for("comptes.securite"))
    return render_template("admin/securite.html", form=form, structure=structure)
