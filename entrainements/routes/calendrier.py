"""The week calendar of the practice sessions, one occurrence cancelled, and booking, moving or cancelling by
hand (issue 10, items 1 and 6)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core import journal
from core.access import roles_required
from core.bounds import date_window
from core.errors import DomainError
from core.messagerie.depot import canal_pour
from core.timeutil import horaire_fr, structure_today, structure_zone, to_local, utcnow
from entrainements import queries, services
from entrainements.constants import MOTIFS_ANNULATION, STATUTS_ENTRAINEMENT, STATUTS_RESERVATION
from entrainements.forms import AnnulationOccurrenceForm, AnnulationReservationForm, ChoixOccurrenceForm, SemaineForm
from entrainements.models import Entrainement, Occurrence, Reservation
from entrainements.routes.blueprints import VIEWERS, WRITERS, entrainements_bp
from extensions import db


def horaire(occurrence: Occurrence) -> str:
    """``mardi 9 juin 2026, 14 h 00 – 16 h 00`` on the structure's clock."""
    zone = structure_zone(current_user.structure)
    return horaire_fr(to_local(occurrence.starts_at, zone), to_local(occurrence.ends_at, zone))


@entrainements_bp.app_template_filter("horaire_occurrence")
def _horaire_filtre(occurrence: Occurrence) -> str:
    return horaire(occurrence)


def _places(occurrence: Occurrence) -> str:
    if occurrence.annulee_at is not None:
        return "annulé"
    libres = occurrence.capacite - occurrence.places_prises
    if libres <= 0:
        return "complet"
    return "1 place libre" if libres == 1 else f"{libres} places libres"


def _libelle(occurrence: Occurrence, entrainement: Entrainement) -> str:
    hors = " (après la période prévue)" if occurrence.jour > entrainement.fin_on else ""
    return f"{horaire(occurrence)} · {occurrence.creneau.lieu} · {_places(occurrence)}{hors}"


RESERVEE_ENTRE_TEMPS = (
    "Cette personne vient d'être réservée par ailleurs, ou a déjà un entraînement ce jour-là : rien n'a été "
    "changé. Vérifiez la page puis choisissez à nouveau."
)


# --- The week --------------------------------------------------------------------------------------------------


@entrainements_bp.get("/semaine", endpoint="semaine")
@roles_required(*VIEWERS)
def semaine():
    """The week holding ``?debut=`` (ISO or jj/mm/aaaa; today's week otherwise): each day's occurrences, who is
    booked, the free places, the days skipped and why. A volunteer sees the slots they run, names shortened."""
    structure = current_user.structure
    today = structure_today(structure)
    form = SemaineForm(request.args)
    jour = today
    if request.args.get("debut") and form.validate() and form.debut.data is not None:
        premier, dernier = date_window(today)
        if premier <= form.debut.data <= dernier:
            jour = form.debut.data
        else:
            form.debut.errors = [
                *form.debut.errors,
                f"Choisissez une date entre {premier:%d/%m/%Y} et {dernier:%d/%m/%Y}.",
            ]
    lundi = queries.lundi_de(jour)
    animateur_id = current_user.id if current_user.role == "benevole" else None
    jours = queries.semaine(structure, lundi, today, animateur_id=animateur_id)
    journal.consultation(current_user, "apprenant", None, f"entrainements, semaine du {lundi.isoformat()}")
    db.session.commit()  # the occurrence rows of the week, created as the calendar reaches them
    if not form.debut.errors:
        form.debut.data = lundi
    return render_template(
        "entrainements/semaine.html",
        form=form,
        jours=jours,
        lundi=lundi,
        samedi=lundi + timedelta(days=5),
        precedente=lundi - timedelta(days=7),
        suivante=lundi + timedelta(days=7),
        aujourdhui=queries.lundi_de(today),
        peut_modifier=current_user.role in WRITERS,
        # The team, and a volunteer (who sees only the slots they run), take a session's attendance and print
        # its sheet (entrainements.presences.peut_noter); direction reads.
        peut_noter=current_user.role in (*WRITERS, "benevole"),
        statuts=STATUTS_RESERVATION,
        now=utcnow(),
    )


# --- One occurrence cancelled ----------------------------------------------------------------------------------


def _occurrence_or_404(occurrence_id: int) -> Occurrence:
    occurrence = db.session.scalar(
        sa.select(Occurrence).where(
            Occurrence.id == occurrence_id, Occurrence.structure_id == current_user.structure_id
        )
    )
    if occurrence is None:
        abort(404)
    return occurrence


def _reservations_en_cours(occurrence: Occurrence) -> list[Reservation]:
    return list(
        db.session.scalars(
            sa.select(Reservation)
            .options(sa.orm.joinedload(Reservation.entrainement).joinedload(Entrainement.apprenant))
            .where(Reservation.occurrence_id == occurrence.id, Reservation.statut == "reservee")
        )
    )


def _render_annulation(occurrence: Occurrence, form: AnnulationOccurrenceForm, status: int = 200):
    return (
        render_template(
            "entrainements/annuler_occurrence.html",
            occurrence=occurrence,
            form=form,
            reservations=_reservations_en_cours(occurrence),
        ),
        status,
    )


# One rule per address holding an id (GET shows, POST acts): a huge id is then a plain 404 for both methods.
@entrainements_bp.route("/occurrences/<int:occurrence_id>/annuler", methods=["GET", "POST"])
@roles_required(*WRITERS)
def annuler_occurrence(occurrence_id: int):
    occurrence = _occurrence_or_404(occurrence_id)
    if request.method == "GET":
        return _render_annulation(occurrence, AnnulationOccurrenceForm(formdata=None))
    form = AnnulationOccurrenceForm()
    if not form.validate_on_submit():
        return _render_annulation(occurrence, form)
    try:
        annulees = services.annuler_occurrence(current_user, occurrence, form.motif.data, utcnow())
    except DomainError as error:
        db.session.rollback()
        occurrence = _occurrence_or_404(occurrence_id)
        if error.field == "motif":
            form.motif.errors = [*form.motif.errors, error.message]
        else:
            form.form_errors.append(error.message)
        return _render_annulation(occurrence, form)
    injoignables = sum(1 for r in annulees if not canal_pour(r.entrainement.apprenant))
    db.session.commit()
    flash(_annonce_annulation(len(annulees), injoignables), "success")
    return redirect(url_for("entrainements.semaine", debut=occurrence.jour.isoformat()))


def _annonce_annulation(annulees: int, injoignables: int) -> str:
    """What the flash message says after an occurrence was cancelled."""
    if not annulees:
        return "Créneau annulé ce jour-là. Personne n'y était réservé."
    if annulees == 1 and injoignables == 1:
        return (
            "Créneau annulé ce jour-là. Aucun moyen de prévenir la personne réservée par écrit : appelez-la. "
            "Elle sera réservée sur un autre créneau."
        )
    if annulees == 1:
        texte = "Créneau annulé ce jour-là. La personne réservée est prévenue et sera réservée sur un autre créneau."
    else:
        texte = (
            f"Créneau annulé ce jour-là. Les {annulees} personnes réservées sont prévenues et seront réservées "
            "sur d'autres créneaux."
        )
    if injoignables == 1:
        texte += " Aucun moyen de prévenir une de ces personnes par écrit : appelez-la."
    elif injoignables > 1:
        texte += f" Aucun moyen de prévenir {injoignables} de ces personnes par écrit : appelez-les."
    return texte


# --- Booking, moving, cancelling by hand ----------------------------------------------------------------------


@entrainements_bp.get("/a-planifier", endpoint="a_planifier")
@roles_required(*WRITERS)
def a_planifier():
    lignes = queries.a_planifier(current_user.structure_id)
    journal.consultation(current_user, "apprenant", None, "entrainements a planifier")
    db.session.commit()
    return render_template("entrainements/a_planifier.html", lignes=lignes)


def _entrainement_or_404(entrainement_id: int) -> Entrainement:
    entrainement = queries.entrainement_de(current_user.structure_id, entrainement_id)
    if entrainement is None:
        abort(404)
    return entrainement


def _render_entrainement(
    entrainement: Entrainement,
    *,
    choix: ChoixOccurrenceForm | None = None,
    annulation: AnnulationReservationForm | None = None,
    refus: bool = False,
    status: int = 200,
):
    """The page of one entraînement: its booking (to move or cancel) or the form to book it; after a refused
    choice, the next free occurrences (in the window first, then after it)."""
    today = structure_today(current_user.structure)
    now = utcnow()
    occurrences = services.occurrences_proposables(entrainement, now=now, today=today)
    journal.consultation(current_user, "entrainement", entrainement.id, "reservation a la main")
    db.session.commit()  # the occurrence rows of the period, created as the page reaches them
    choix = choix or ChoixOccurrenceForm(formdata=None)
    offertes = [(o.id, _libelle(o, entrainement)) for o in occurrences]
    choix.occurrence.choices = [("", "Choisissez un créneau"), *offertes]
    en_cours = next((r for r in entrainement.reservations if r.statut == "reservee"), None)
    return (
        render_template(
            "entrainements/entrainement.html",
            entrainement=entrainement,
            apprenant=entrainement.apprenant,
            joignable=canal_pour(entrainement.apprenant) is not None,
            en_cours=en_cours,
            choix=choix,
            annulation=annulation or AnnulationReservationForm(formdata=None, prefix="annulation"),
            propositions=services.propositions(entrainement, occurrences) if refus else [],
            statuts=STATUTS_ENTRAINEMENT,
            statuts_reservation=STATUTS_RESERVATION,
            motifs=MOTIFS_ANNULATION,
            libelle=lambda o: _libelle(o, entrainement),
        ),
        status,
    )


@entrainements_bp.route("/<int:entrainement_id>/reservation", methods=["GET", "POST"], endpoint="entrainement")
@roles_required(*WRITERS)
def entrainement(entrainement_id: int):
    """The page of one entraînement (GET), or its booking in the occurrence chosen (POST)."""
    if request.method == "POST":
        return _reserver(entrainement_id)
    return _render_entrainement(_entrainement_or_404(entrainement_id))


def _annonce_convocation(message, apprenant) -> str:
    if message is not None:
        return (
            "La convocation part par "
            + {"email": "courriel", "sms": "SMS", "courrier": "courrier"}.get(message.canal, message.canal)
            + "."
        )
    if canal_pour(apprenant) is None:
        return "Aucun moyen de prévenir cette personne par écrit : appelez-la pour lui donner la date."
    return ""


def _reserver(entrainement_id: int):
    entrainement = _entrainement_or_404(entrainement_id)
    form = ChoixOccurrenceForm()
    if not form.validate_on_submit():
        return _render_entrainement(entrainement, choix=form)
    try:
        reservation, message = services.reserver_a_la_main(
            current_user, entrainement, form.occurrence.data, now=utcnow()
        )
    except sa.exc.IntegrityError:
        # A sweep or a colleague booked this person at the same instant: the database's unique rule refused it.
        db.session.rollback()
        return _refus(entrainement_id, form, DomainError(RESERVEE_ENTRE_TEMPS, field="occurrence"))
    except DomainError as error:
        db.session.rollback()
        return _refus(entrainement_id, form, error)
    apprenant = entrainement.apprenant
    texte = f"Entraînement réservé : {horaire(reservation.occurrence)}. {_annonce_convocation(message, apprenant)}"
    db.session.commit()
    flash(texte.strip(), "success")
    return redirect(url_for("entrainements.entrainement", entrainement_id=entrainement_id))


def _refus(entrainement_id: int, form: ChoixOccurrenceForm, error: DomainError):
    """The page again after a refused booking or move: the message beside the choice, kept, and proposals."""
    entrainement = _entrainement_or_404(entrainement_id)
    if error.field == "occurrence":
        form.occurrence.errors = [*form.occurrence.errors, error.message]
        return _render_entrainement(entrainement, choix=form, refus=True)
    flash(error.message, "error")
    return _render_entrainement(entrainement)


def _reservation_or_404(reservation_id: int) -> Reservation:
    reservation = db.session.scalar(
        sa.select(Reservation)
        .join(Reservation.entrainement)
        .where(Reservation.id == reservation_id, Entrainement.structure_id == current_user.structure_id)
    )
    if reservation is None:
        abort(404)
    return reservation


@entrainements_bp.post("/reservations/<int:reservation_id>/deplacer", endpoint="deplacer")
@roles_required(*WRITERS)
def deplacer(reservation_id: int):
    reservation = _reservation_or_404(reservation_id)
    entrainement_id = reservation.entrainement_id
    form = ChoixOccurrenceForm()
    if not form.validate_on_submit():
        return _render_entrainement(_entrainement_or_404(entrainement_id), choix=form)
    try:
        nouvelle, message = services.deplacer_reservation(current_user, reservation, form.occurrence.data, now=utcnow())
    except sa.exc.IntegrityError:
        # A sweep or a colleague booked this person at the same instant: the database's unique rule refused it.
        db.session.rollback()
        return _refus(entrainement_id, form, DomainError(RESERVEE_ENTRE_TEMPS, field="occurrence"))
    except DomainError as error:
        db.session.rollback()
        return _refus(entrainement_id, form, error)
    texte = (
        f"Entraînement déplacé : {horaire(nouvelle.occurrence)}. "
        f"{_annonce_convocation(message, nouvelle.entrainement.apprenant)}"
    )
    db.session.commit()
    flash(texte.strip(), "success")
    return redirect(url_for("entrainements.entrainement", entrainement_id=entrainement_id))


@entrainements_bp.post("/reservations/<int:reservation_id>/annuler", endpoint="annuler_reservation")
@roles_required(*WRITERS)
def annuler_reservation(reservation_id: int):
    reservation = _reservation_or_404(reservation_id)
    entrainement_id = reservation.entrainement_id
    form = AnnulationReservationForm(prefix="annulation")
    if not form.validate_on_submit():
        return _render_entrainement(_entrainement_or_404(entrainement_id), annulation=form)
    try:
        services.annuler_reservation(current_user, reservation, form.motif.data, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        if error.field == "motif":
            form.motif.errors = [*form.motif.errors, error.message]
        else:
            flash(error.message, "error")
        return _render_entrainement(_entrainement_or_404(entrainement_id), annulation=form)
    db.session.commit()
    flash("Réservation annulée. L'entraînement est de nouveau à planifier.", "success")
    return redirect(url_for("entrainements.entrainement", entrainement_id=entrainement_id))
