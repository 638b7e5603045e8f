"""Screens of the attestations: a closed workshop's attestations (issue, print, revoke) and the public
verification page that the QR code of every attestation leads to (DESIGN.md section 6)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ateliers.models import Atelier, Inscription
from ateliers.routes.commun import atelier_or_404, dans_ordre_vu, download, field_error, slugify
from attestations import codes, envois, queries, services
from attestations.constants import MOTIFS_REVOCATION, TYPES_ATTESTATION
from attestations.forms import ParametresForm
from attestations.images import TAILLE_MAX
from attestations.models import Attestation, ImageAttestation
from core import journal
from core.access import get_in_structure_or_404, public, roles_required
from core.constants import CANAUX_MESSAGE
from core.errors import DomainError
from core.francais import accord, nombre
from core.security import render_error
from core.text import display_phone, name_seen_by
from core.timeutil import date_fr, duree_fr, structure_today, structure_zone, to_local, utcnow
from extensions import db, limiter

attestations_bp = Blueprint("attestations", __name__)

READERS = ("admin", "mediateur", "direction")
WRITERS = ("admin", "mediateur")
VERIFICATION_RATE_LIMIT = "30 per minute; 300 per hour"
ROBOTS = "noindex, nofollow"


def _render_atelier(
    atelier: Atelier,
    erreurs: dict[int, str] | None = None,
    coches: set[int] | None = None,
    erreurs_revocation: dict[int, str] | None = None,
    erreurs_envoi: dict[int, str] | None = None,
):
    """The workshop's attestations page; ``erreurs`` (by inscription id), ``erreurs_revocation`` and
    ``erreurs_envoi`` (by attestation id) put a refusal beside its form, ``coches`` the boxes the user had ticked."""
    attestations = queries.attestations_de_atelier(atelier.id)
    ids = [a.id for liste in attestations.values() for a in liste if not a.is_revoquee]
    journal.consultation(current_user, "atelier", atelier.id, "attestations de l'atelier")
    db.session.commit()
    return render_template(
        "attestations/atelier.html",
        atelier=atelier,
        membres=dans_ordre_vu(i for i in atelier.inscriptions if i.statut != "inscrit"),
        attestations=attestations,
        valides=sum(1 for liste in attestations.values() for a in liste if not a.is_revoquee),
        erreurs=erreurs or {},
        erreurs_revocation=erreurs_revocation or {},
        erreurs_envoi=erreurs_envoi or {},
        messages=envois.messages_de(ids),
        canal_de_remise=envois.canal_de_remise,
        canaux=CANAUX_MESSAGE,
        coches=coches or set(),
        motifs=MOTIFS_REVOCATION,
        types=TYPES_ATTESTATION,
        zone=structure_zone(atelier.structure),
        avis=services.avis_atelier(atelier),
    )


@attestations_bp.get("/ateliers/<int:atelier_id>/attestations")
@roles_required(*READERS)
def atelier(atelier_id: int):
    return _render_atelier(atelier_or_404(atelier_id, animateurs=False))


@attestations_bp.post("/ateliers/<int:atelier_id>/attestations/emission")
@roles_required(*WRITERS)
def emettre_atelier(atelier_id: int):
    atelier_ = atelier_or_404(atelier_id, animateurs=False)
    try:
        emises = services.emettre_atelier(
            current_user,
            atelier_,
            today=structure_today(atelier_.structure),
            now=utcnow(),
            base_url=services.adresse_publique(),
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        if emises:
            flash(f"{nombre(len(emises), 'attestation émise', 'attestations émises')}.", "success")
        else:
            flash("Chaque personne qui a terminé l'atelier a déjà son attestation.", "success")
    return redirect(url_for("attestations.atelier", atelier_id=atelier_id))


@attestations_bp.post("/attestations/inscriptions/<int:inscription_id>")
@roles_required(*WRITERS)
def emettre(inscription_id: int):
    inscription = _inscription_or_404(inscription_id)
    presence_seule = request.form.get("presence_seule") == "y"
    atelier_id = inscription.atelier_id
    try:
        services.emettre(
            current_user,
            inscription,
            presence_seule=presence_seule,
            today=structure_today(current_user.structure),
            now=utcnow(),
            base_url=services.adresse_publique(),
        )
    except DomainError as error:
        db.session.rollback()
        if error.field:
            return _render_atelier(
                atelier_or_404(atelier_id, animateurs=False),
                erreurs={inscription_id: error.message},
                coches={inscription_id} if presence_seule else set(),
            )
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("Attestation émise.", "success")
    return redirect(url_for("attestations.atelier", atelier_id=atelier_id))


@attestations_bp.post("/attestations/<int:attestation_id>/revocation")
@roles_required(*WRITERS)
def revoquer(attestation_id: int):
    attestation = get_in_structure_or_404(Attestation, attestation_id)
    atelier_id = attestation.inscription.atelier_id
    try:
        retires = services.revoquer(current_user, attestation, request.form.get("motif", ""), now=utcnow())
    except DomainError as error:
        db.session.rollback()
        if error.field:
            return _render_atelier(
                atelier_or_404(atelier_id, animateurs=False), erreurs_revocation={attestation_id: error.message}
            )
        flash(error.message, "error")
    else:
        db.session.commit()
        annule = " Son envoi en attente est annulé (boîte d'envoi)." if retires else ""
        flash(f"Attestation n° {attestation.numero} révoquée.{annule}", "success")
    return redirect(url_for("attestations.atelier", atelier_id=atelier_id))


@attestations_bp.post("/attestations/<int:attestation_id>/envoi")
@roles_required(*WRITERS)
def envoyer(attestation_id: int):
    attestation = get_in_structure_or_404(Attestation, attestation_id)
    atelier_id = attestation.inscription.atelier_id
    canal = request.form.get("canal", "")
    try:
        envois.envoyer(current_user, attestation, canal, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        if error.field:
            return _render_atelier(
                atelier_or_404(atelier_id, animateurs=False), erreurs_envoi={attestation_id: error.message}
            )
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            f"Attestation n° {attestation.numero} déposée dans la boîte d'envoi, {envois.CANAUX_ATTESTATION[canal]}.",
            "success",
        )
    return redirect(url_for("attestations.atelier", atelier_id=atelier_id))


@attestations_bp.post("/ateliers/<int:atelier_id>/attestations/envoi")
@roles_required(*WRITERS)
def envoyer_atelier(atelier_id: int):
    atelier_ = atelier_or_404(atelier_id, animateurs=False)
    bilan = envois.envoyer_atelier(current_user, atelier_, now=utcnow())
    db.session.commit()
    if bilan.courriels or bilan.courriers:
        flash(
            f"Attestations déposées dans la boîte d'envoi : {bilan.courriels} par courriel, "
            f"{bilan.courriers} par courrier (à imprimer depuis la boîte d'envoi).",
            "success",
        )
    elif not bilan.sans_moyen:
        flash("Aucune attestation à envoyer : chacune est déjà partie, ou aucune n'est émise.", "info")
    if bilan.sans_moyen:
        n = len(bilan.sans_moyen)
        flash(
            f"{nombre(n, 'personne n’a', 'personnes n’ont')} ni adresse électronique ni adresse postale : "
            f"{accord(n, 'son attestation est', 'leurs attestations sont')} à remettre en main propre "
            "(voir ci-dessous qui).",
            "info",
        )
    return redirect(url_for("attestations.atelier", atelier_id=atelier_id))


@attestations_bp.get("/attestations/<int:attestation_id>.pdf")
@roles_required(*READERS)
def pdf(attestation_id: int):
    from attestations import attestation_pdf  # PDF stack loaded on first use (core/pdf.py)

    attestation = get_in_structure_or_404(Attestation, attestation_id)
    contenu = attestation_pdf.render(
        attestation.contenu,
        revoquee_on=_jour_revocation(attestation),
        images=services.images_de([attestation.contenu]),
    )
    journal.record(current_user, "export", "attestation", attestation.id, "PDF")
    db.session.commit()
    return download(contenu, "application/pdf", f"attestation-{attestation.numero.lower()}.pdf")


@attestations_bp.get("/ateliers/<int:atelier_id>/attestations.pdf")
@roles_required(*READERS)
def pdf_atelier(atelier_id: int):
    from attestations import attestation_pdf  # PDF stack loaded on first use (core/pdf.py)

    atelier_ = atelier_or_404(atelier_id, animateurs=False)
    valides = queries.valides_de_atelier(atelier_.id)
    if not valides:
        flash("Aucune attestation à imprimer : émettez-les d'abord.", "error")
        return redirect(url_for("attestations.atelier", atelier_id=atelier_id))
    contenu = attestation_pdf.render_lot(
        [(a.contenu, None) for a in valides],
        titre=f"Attestations – {atelier_.intitule}",
        auteur=atelier_.structure.nom,
        images=services.images_de([a.contenu for a in valides]),
    )
    journal.record(current_user, "export", "atelier", atelier_.id, f"PDF des attestations ({len(valides)})")
    db.session.commit()
    return download(contenu, "application/pdf", f"attestations-{slugify(atelier_.intitule)}.pdf")


@attestations_bp.get("/ateliers/<int:atelier_id>/memos.pdf")
@roles_required(*READERS)
def memos_atelier(atelier_id: int):
    """The "Mon mémo" page of each learner who finished the workshop (their first name on it, nothing else of
    them), to hand out with the attestations; a blank one when nobody finished."""
    atelier_ = atelier_or_404(atelier_id, animateurs=False)
    structure = atelier_.structure
    coordonnees = {
        "nom": structure.nom,
        "adresse": structure.adresse or "",
        "telephone": display_phone(structure.telephone) if structure.telephone else "",
    }
    termines = dans_ordre_vu(i for i in atelier_.inscriptions if i.statut == "termine")
    memos = [{"prenom": i.apprenant.prenom, "structure": coordonnees} for i in termines] or [
        {"prenom": "", "structure": coordonnees}
    ]
    from attestations import memo_pdf  # PDF stack loaded on first use (core/pdf.py)

    contenu = memo_pdf.render(memos)
    journal.record(current_user, "export", "atelier", atelier_.id, f"PDF des mémos ({len(memos)})")
    db.session.commit()
    return download(contenu, "application/pdf", f"memos-{slugify(atelier_.intitule)}.pdf")


@attestations_bp.route("/admin/attestations", methods=["GET", "POST"])
@roles_required("admin")
def parametres():
    structure = current_user.structure
    actuels = services.parametres_de(structure)
    form = ParametresForm(obj=actuels)
    if form.validate_on_submit():
        try:
            services.enregistrer_parametres(current_user, structure, form.to_data())
        except DomainError as error:
            db.session.rollback()
            field_error(form, error)
        else:
            db.session.commit()
            flash("Paramètres des attestations enregistrés.", "success")
            return redirect(url_for("attestations.parametres"))
    return render_template("attestations/parametres.html", form=form, parametres=actuels, structure=structure)


@attestations_bp.errorhandler(413)
def envoi_trop_lourd(error):
    """A body past ``MAX_CONTENT_LENGTH`` on the settings page (a phone photo of the logo or the signature, several
    megabytes): the page again, nothing saved, the reason beside both image fields (which one was too heavy cannot
    be told: the body is never read). Anywhere else in the blueprint, the generic 413 page."""
    if request.endpoint != "attestations.parametres" or not (
        current_user.is_authenticated and current_user.role == "admin"
    ):
        return render_error(413)
    structure = current_user.structure
    actuels = services.parametres_de(structure)
    form = ParametresForm(formdata=None, obj=actuels)
    limite = current_app.config["MAX_CONTENT_LENGTH"] // 1024
    message = (
        f"L'image envoyée dépasse {limite} Ko : rien n'a été enregistré. Le logo et la signature font "
        f"{TAILLE_MAX // 1024} Ko au plus ; réduisez l'image, puis choisissez-la à nouveau."
    )
    form.logo.errors = form.signature.errors = [message]
    page = render_template("attestations/parametres.html", form=form, parametres=actuels, structure=structure)
    return page, 413


@attestations_bp.get("/admin/attestations/images/<empreinte>")
@roles_required("admin")
def image(empreinte: str):
    """The logo or signature image of the signed-in admin's structure (to check it on the settings page)."""
    actuels = services.parametres_de(current_user.structure)
    if empreinte not in (actuels.logo_empreinte, actuels.signature_empreinte):
        abort(404)
    ligne = db.session.get(ImageAttestation, empreinte)
    return Response(ligne.contenu, mimetype=ligne.type)


def _inscription_or_404(inscription_id: int) -> Inscription:
    """An inscription of a workshop of the signed-in account's structure, or 404."""
    inscription = db.session.get(Inscription, inscription_id)
    if inscription is None or inscription.atelier.structure_id != current_user.structure_id:
        abort(404)
    return inscription


def _jour_revocation(attestation: Attestation):
    if attestation.revoquee_at is None:
        return None
    return to_local(attestation.revoquee_at, structure_zone(attestation.structure)).date()


# --- Public verification -------------------------------------------------------------------------------------


def _verification_rate_limit() -> str:
    return current_app.config.get("VERIFICATION_RATE_LIMIT", VERIFICATION_RATE_LIMIT)


def _page_verification(saisie: str, resultat: dict | None, erreur: str | None = None, status: int = 200) -> Response:
    """The verification page: the result for a code, or the form alone; never indexed."""
    response = current_app.make_response(
        (render_template("attestations/verifier.html", saisie=saisie, resultat=resultat, erreur=erreur), status)
    )
    response.headers["X-Robots-Tag"] = ROBOTS
    return response


@attestations_bp.get("/verifier")
@public
def verifier_formulaire():
    """The form where a code is typed; a typed code goes to its page, whatever its spaces, dashes or case."""
    saisie = request.args.get("code", "")
    if not saisie:
        return _page_verification("", None)
    code = codes.normaliser_code(saisie)
    if code is None:
        return _page_verification(
            saisie,
            None,
            "Ce code n'a pas la forme attendue : 12 lettres et chiffres, par exemple 7KQ2-XM9D-R4TB "
            "(sans 0, O, 1, I ni L).",
        )
    return redirect(url_for("attestations.verifier", code=codes.code_groupe(code)))


@attestations_bp.get("/verifier/<code>")
@public
@limiter.limit(_verification_rate_limit)
def verifier(code: str):
    """Whether the attestation of ``code`` is genuine: valid, or revoked (and when), with only what is needed to
    compare with the paper. An unknown or malformed code gets the same page (one lookup, one journal row), with
    the status 404; the journal keeps the outcome, never the visitor's address."""
    normalise = codes.normaliser_code(code)
    attestation = services.par_code(normalise) if normalise else None
    if attestation is None:
        journal.consultation(None, "attestation", None, "vérification publique : code inconnu")
        db.session.commit()
        return _page_verification(code, {"trouvee": False}, status=404)
    etat = "révoquée" if attestation.is_revoquee else "valide"
    journal.consultation(
        None,
        "attestation",
        attestation.id,
        f"vérification publique : {etat}",
        structure_id=attestation.structure_id,
    )
    db.session.commit()
    return _page_verification(code, _resultat(attestation))


# Shown instead of the name once the person's data was erased (rgpd.effacement empties the snapshot's names).
NOM_EFFACE = "Nom retiré : les données personnelles de la personne ont été effacées"


def _resultat(attestation: Attestation) -> dict:
    """What the public page shows of ``attestation``, from its snapshot (what the paper prints); no name once the
    person's data was erased (``NOM_EFFACE``)."""
    contenu = attestation.contenu
    apprenant = contenu["apprenant"]
    return {
        "trouvee": True,
        "revoquee_on": _jour_revocation(attestation),
        "numero": attestation.numero,
        "titre": contenu["titre"],
        "nom": name_seen_by("benevole", apprenant["prenom"], apprenant["nom"]) or NOM_EFFACE,
        "structure": contenu["structure"]["nom"],
        "intitule": contenu["atelier"]["intitule"],
        "debut": date_fr(date.fromisoformat(contenu["debut_on"])),
        "fin": date_fr(date.fromisoformat(contenu["fin_on"])),
        "emise": date_fr(date.fromisoformat(contenu["emise_on"])),
        "heures_prevues": duree_fr(contenu["minutes_prevues"]),
        "heures_suivies": duree_fr(contenu["minutes_suivies"]),
    }


@attestations_bp.errorhandler(429)
def verification_rate_limited(_error):
    return _page_verification(
        request.view_args.get("code", "") if request.view_args else "",
        None,
        "Trop de vérifications depuis ce poste en peu de temps. Patientez une minute, puis réessayez.",
        429,
    )
