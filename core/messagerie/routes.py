"""The outbox screens: messages to send, sent, failed, by channel; resend; SMS, emails and letters the mediator
sends by hand and marks sent; the day's letters printed as one PDF. Admin and mediator of the structure only."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectField
from wtforms.validators import Optional

from core import francais, journal
from core.access import get_in_structure_or_404, roles_required
from core.constants import CANAUX_MESSAGE, TYPES_MESSAGE
from core.errors import DomainError
from core.forms import AppForm, choices
from core.messagerie import boite
from core.messagerie.canaux import canaux_manuels
from core.models import Message
from core.timeutil import structure_today, utcnow
from extensions import db

messages_bp = Blueprint("messages", __name__, url_prefix="/messages")

GESTION = ("admin", "mediateur")


class FiltresMessagesForm(AppForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    etat = SelectField(
        "Messages",
        choices=choices(boite.ETATS.items()),
        default="a_envoyer",
        validators=[Optional()],
        invalid_choice_message="Choisissez dans la liste.",
    )
    canal = SelectField(
        "Moyen",
        choices=choices([("", "Tous"), *CANAUX_MESSAGE.items()]),
        validators=[Optional()],
        invalid_choice_message="Choisissez un moyen de la liste.",
    )

    def to_filtres(self) -> boite.Filtres:
        """The filters chosen; call only after :meth:`validate` succeeded."""
        return boite.Filtres(etat=self.etat.data or "a_envoyer", canal=self.canal.data or None)


class ActionForm(AppForm):
    """A button's form: its CSRF token only."""


def _retour():
    """Back to the outbox with the filters the mediator was using."""
    filtres = {k: v for k, v in request.args.items() if k in ("etat", "canal") and v}
    return redirect(url_for("messages.liste", **filtres))


@messages_bp.get("/")
@roles_required(*GESTION)
def liste():
    form = FiltresMessagesForm(request.args)
    filtres = form.to_filtres() if form.validate() else boite.Filtres()
    now = utcnow()
    lignes = boite.messages(current_user.structure_id, filtres)
    manuels = canaux_manuels(current_app.config)
    a_imprimer = [
        m.id
        for m in lignes
        if m.canal == "courrier" and m.statut == "a_envoyer" and (m.valable_jusqu_a is None or m.valable_jusqu_a > now)
    ]
    page = render_template(
        "messages/liste.html",
        form=form,
        filtres=filtres,
        lignes=lignes,
        comptes=boite.compte_par_etat(current_user.structure_id),
        manuels=manuels,
        a_imprimer=a_imprimer,
        peut_renvoyer=lambda m: boite.peut_renvoyer(m, now),
        action_form=ActionForm(),
        ETATS=boite.ETATS,
        CANAUX_MESSAGE=CANAUX_MESSAGE,
        TYPES_MESSAGE=TYPES_MESSAGE,
        limite=boite.LIMITE,
    )
    journal.consultation(current_user, "message", None, f"boîte d'envoi : {filtres.etat}, {filtres.canal or 'tous'}")
    db.session.commit()
    return page


@messages_bp.post("/<int:message_id>/envoye")
@roles_required(*GESTION)
def marquer_envoye(message_id: int):
    return _agir(
        message_id,
        lambda message: boite.marquer_envoye(message, current_user, canaux_manuels(current_app.config), utcnow()),
        "Message marqué comme envoyé.",
    )


@messages_bp.post("/<int:message_id>/renvoyer")
@roles_required(*GESTION)
def renvoyer(message_id: int):
    return _agir(
        message_id,
        lambda message: boite.renvoyer(message, current_user, utcnow()),
        "Le message est de nouveau à envoyer.",
    )


def _agir(message_id: int, action: Callable[[Message], None], succes: str):
    """A button on one message of the structure: ``action(message)`` (a ``boite`` service that flushes), committed
    with ``succes`` flashed, or its refusal flashed; back to the outbox as it was filtered."""
    message = get_in_structure_or_404(Message, message_id)
    if ActionForm().validate_on_submit():
        try:
            action(message)
        except DomainError as refus:
            db.session.rollback()
            flash(refus.message, "error")
        else:
            db.session.commit()
            flash(succes, "success")
    else:
        flash("Le formulaire a expiré : recommencez.", "error")
    return _retour()


@messages_bp.get("/<int:message_id>/piece-jointe")
@roles_required(*GESTION)
def piece_jointe(message_id: int):
    """The file sent with the message (an attestation's PDF), for an email the mediator sends by hand."""
    message = get_in_structure_or_404(Message, message_id)
    if not message.pieces_jointes:
        abort(404)
    piece = message.pieces_jointes[0]
    journal.record(current_user, "export", "message", message.id, "pièce jointe")
    db.session.commit()
    return _fichier(piece.contenu, piece.type_media, piece.nom_fichier)


def _fichier(contenu: bytes, mimetype: str, nom: str) -> Response:
    """``contenu`` as a file to save, named ``nom`` (ASCII)."""
    response = Response(contenu, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{nom}"'
    return response


def _ids() -> list[int]:
    return [int(valeur) for valeur in request.form.getlist("ids") if valeur.isdigit()]


@messages_bp.post("/courriers.pdf")
@roles_required(*GESTION)
def imprimer_courriers():
    """The letters the page listed, still to send, as one PDF (nothing is marked sent: the mediator does it once
    they are printed)."""
    if not ActionForm().validate_on_submit():
        flash("Le formulaire a expiré : recommencez.", "error")
        return _retour()
    lettres = boite.courriers_a_envoyer(current_user.structure_id, _ids(), utcnow())
    if not lettres:
        flash("Aucun courrier à imprimer : ils sont déjà envoyés, ou trop tard.", "error")
        return _retour()
    from core.messagerie.courrier_pdf import courriers_pdf  # PDF stack loaded on first use (core/pdf.py)

    structure = current_user.structure
    contenu = courriers_pdf(boite.en_courriers(structure, lettres), titre="Courriers", auteur=structure.nom)
    ids = ", ".join(str(lettre.id) for lettre in lettres)
    journal.record(current_user, "export", "message", None, f"courriers imprimés : {ids}")
    db.session.commit()
    return _fichier(contenu, "application/pdf", f"courriers-{structure_today(structure).isoformat()}.pdf")


@messages_bp.post("/courriers/envoyes")
@roles_required(*GESTION)
def courriers_envoyes():
    if ActionForm().validate_on_submit():
        lettres = boite.courriers_a_envoyer(current_user.structure_id, _ids(), utcnow())
        nombre = boite.marquer_courriers_envoyes(lettres, current_user, utcnow())
        db.session.commit()
        texte = francais.nombre(nombre, "courrier marqué comme envoyé", "courriers marqués comme envoyés")
        flash(f"{texte}.", "success")
    else:
        flash("Le formulaire a expiré : recommencez.", "error")
    return _retour()
