"""Issuing and revoking attestations; finding one by its verification code. Services flush; the route commits.

An attestation is issued for an inscription of a closed workshop (``ateliers.cloture``): the whole course
(hours and skills acquired) for a learner who finished it, the hours and séances attended only for one who
left part-way and asked for it. Its snapshot (:func:`instantane`) copies every text the PDF prints, so later
changes to the learner, the curriculum or the attendance never reach it; a correction means revoking it and
issuing a new one, which gets a new number and a new code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ateliers.models import Atelier, Inscription, Presence, Seance
from attestations import codes
from attestations.constants import (
    CANAUX_ATTESTATION,
    MOTIFS_REVOCATION,
    NATURE_ACTION,
    OBJECTIFS,
    TYPES_ATTESTATION,
    cle_message,
)
from attestations.images import ImageRefusee, empreinte, verifier_image
from attestations.models import Attestation, CompteurAttestation, ImageAttestation, ParametresAttestation
from core import journal, versions
from core.errors import DomainError
from core.francais import nombre
from core.models import Compte, Message, Structure
from core.text import display_phone
from core.timeutil import structure_zone, to_local
from evaluations.models import Competence, EvaluationCompetence, Module
from extensions import db

VERSION_INSTANTANE = 1
# Attended: on time or late. Excused or not, an absence is no attendance.
PRESENT = ("present", "retard")
# Who signs when the structure's admin has set no signatory: the issuing account, with its function.
FONCTIONS = {"mediateur": "Médiation numérique", "admin": "Administration de la structure"}
# Said at the closing and on the workshop's pages while the structure names no signatory: the attestations are
# then not issued by the closing (they would be frozen with whoever closed as signatory, or none).
AVIS_SIGNATAIRE = (
    "Attestations non émises à la clôture : le nom et la fonction de la personne qui signe ne sont pas "
    "renseignés (page « Paramètres des attestations », réservée aux administrateurs). Une fois qu'ils le sont, "
    "émettez-les depuis la page Attestations de l'atelier ; émises avant, c'est vous qui les signez."
)
# Why a message of a revoked attestation still in the outbox was not sent (shown in the outbox).
RAISON_REVOQUEE = "Pas envoyé : l'attestation a été révoquée."
# Where the QR codes lead when neither PUBLIC_URL nor a request says it (a command run on the server).
ADRESSE_PAR_DEFAUT = "http://127.0.0.1:5000/"


def adresse_publique() -> str:
    """The site's public address printed in the QR codes: ``PUBLIC_URL`` when set (behind a proxy), else the
    address the current request came to, else ``ADRESSE_PAR_DEFAUT`` (a command)."""
    if current_app.config.get("PUBLIC_URL"):
        return current_app.config["PUBLIC_URL"]
    return request.url_root if has_request_context() else ADRESSE_PAR_DEFAUT


def signataire_renseigne(parametres: ParametresAttestation | None) -> bool:
    """Whether the structure's settings name the signatory in full (name and function)."""
    return bool(parametres and parametres.signataire_nom and parametres.signataire_fonction)


def verifier_atelier_clos(atelier: Atelier) -> None:
    """:raise DomainError: ``atelier`` is not closed, or was unlocked for a correction (``ateliers.cloture``)."""
    if atelier.statut != "termine":
        raise DomainError("L'atelier n'est pas clos : les attestations s'émettent une fois l'atelier clôturé.")
    if not atelier.is_locked:
        raise DomainError(
            "L'atelier est déverrouillé pour une correction : reverrouillez-le avant d'émettre des attestations."
        )


def verifier_emission(atelier: Atelier, inscription: Inscription, presence_seule: bool) -> str:
    """The type of attestation ``inscription`` may get (``"parcours"`` or ``"presence"``).

    :param presence_seule: the learner asked for the attendance-only version (required after an abandon).
    :raise DomainError: the workshop is not closed, or unlocked for a correction; the learner left part-way and
        no attendance-only version was asked for; the inscription is still running.
    """
    verifier_atelier_clos(atelier)
    if inscription.statut == "abandon":
        if not presence_seule:
            raise DomainError(
                "Cette personne a quitté l'atelier en cours de route : seule une attestation de présence peut lui "
                "être remise, à sa demande. Cochez « à sa demande » pour l'émettre.",
                "presence_seule",
            )
        return "presence"
    if inscription.statut != "termine":
        raise DomainError("Cette inscription n'est pas terminée.")
    return "presence" if presence_seule else "parcours"


def attestation_valide(inscription_id: int) -> Attestation | None:
    """The attestation of ``inscription_id`` that is not revoked, if any (at most one: partial unique index)."""
    return db.session.scalar(
        sa.select(Attestation).where(Attestation.inscription_id == inscription_id, Attestation.revoquee_at.is_(None))
    )


def emettre(
    auteur: Compte,
    inscription: Inscription,
    *,
    presence_seule: bool = False,
    today: date,
    now: datetime,
    base_url: str,
) -> Attestation:
    """Issue the attestation of ``inscription``; flush only.

    :param presence_seule: the attendance-only version, on the learner's request (the only one after an abandon).
    :param today: the structure's day: the date printed, and the year in the number.
    :param now: the issuing moment (naive UTC).
    :param base_url: the site's public address (``https://ateliers.example.fr``): the QR code leads to
        ``<base_url>/verifier/<code>``.
    :return: the new attestation, with its number, code and frozen snapshot.
    :raise DomainError: see :func:`verifier_emission`; or an attestation not revoked already exists for the
        inscription (the inscription's row is locked first, and the database's partial unique index refuses a
        second one whatever happens).
    """
    versions.verrouiller(inscription)  # of two issuings at once, the second sees the first's attestation
    atelier = inscription.atelier
    type_ = verifier_emission(atelier, inscription, presence_seule)
    existante = attestation_valide(inscription.id)
    if existante is not None:
        raise DomainError(
            f"Une attestation est déjà émise pour cette personne (n° {existante.numero}). Pour la corriger, "
            "révoquez-la, puis émettez-en une nouvelle."
        )
    structure = atelier.structure
    parametres = db.session.get(ParametresAttestation, structure.id)
    code_structure = parametres.code_structure if parametres else codes.code_structure_par_defaut(structure.id)
    numero = codes.numero(code_structure, today.year, _sequence(structure.id, today.year))
    code = codes.nouveau_code()
    if parametres and parametres.signataire_nom:
        signataire = {"nom": parametres.signataire_nom, "fonction": parametres.signataire_fonction}
    else:
        signataire = {"nom": auteur.nom_complet, "fonction": FONCTIONS.get(auteur.role, "")}
    attestation = Attestation(
        structure_id=structure.id,
        inscription_id=inscription.id,
        type=type_,
        numero=numero,
        code=code,
        contenu=instantane(
            inscription,
            type_=type_,
            numero=numero,
            code=code,
            url_verification=f"{base_url.rstrip('/')}/verifier/{code}",
            signataire=signataire,
            emise_on=today,
            logo=parametres.logo_empreinte if parametres else None,
            signature=parametres.signature_empreinte if parametres else None,
        ),
        emise_at=now,
        emise_par_id=auteur.id,
    )
    db.session.add(attestation)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise DomainError("Une attestation vient d'être émise pour cette personne : rechargez la page.") from error
    journal.record(auteur, "creation", "attestation", attestation.id, f"émission {type_} n° {numero}")
    db.session.flush()
    return attestation


def emettre_atelier(
    auteur: Compte, atelier: Atelier, *, today: date, now: datetime, base_url: str
) -> list[Attestation]:
    """Issue the attestation of every learner who finished ``atelier`` and has none yet; flush only.

    Those who left part-way get one only on request, one by one (:func:`emettre` with ``presence_seule``).

    :return: the attestations issued now (empty when everyone who finished already has one).
    :raise DomainError: the workshop is not closed, or unlocked for a correction.
    """
    versions.verrouiller(atelier)  # two clicks at once: the second waits, then finds the attestations issued
    verifier_atelier_clos(atelier)
    avec = set(
        db.session.scalars(
            sa.select(Attestation.inscription_id)
            .join(Inscription, Inscription.id == Attestation.inscription_id)
            .where(Inscription.atelier_id == atelier.id, Attestation.revoquee_at.is_(None))
        )
    )
    a_emettre = sorted(
        (i for i in atelier.inscriptions if i.statut == "termine" and i.id not in avec),
        key=lambda i: (i.apprenant.nom.lower(), i.apprenant.prenom.lower(), i.id),
    )
    emises = [emettre(auteur, i, today=today, now=now, base_url=base_url) for i in a_emettre]
    if emises:
        journal.record(
            auteur,
            "creation",
            "atelier",
            atelier.id,
            f"émission des attestations : {nombre(len(emises), 'attestation')}",
        )
    return emises


def a_la_cloture(atelier: Atelier, *, now: datetime, today: date, auteur: Compte, **_kwargs) -> tuple[str, str] | None:
    """Receiver of ``ateliers.cloture.atelier_cloture``: the attestations of those who finished the workshop just
    closed, in the closing's transaction (flush only; the closing route commits). Idempotent: an inscription that
    has one gets none more (:func:`emettre_atelier`).

    Issued only when the structure's settings name the signatory (:func:`signataire_renseigne`): otherwise none
    is issued and the notice ``AVIS_SIGNATAIRE`` says what to fill in; the mediator then issues them from the
    workshop's attestations page.

    :return: the closing confirmation's notice (``("success", ...)`` or ``("info", AVIS_SIGNATAIRE)``), or None
        when nobody finished.
    """
    if not any(i.statut == "termine" for i in atelier.inscriptions):
        return None
    if not signataire_renseigne(db.session.get(ParametresAttestation, atelier.structure_id)):
        return "info", AVIS_SIGNATAIRE
    emises = emettre_atelier(auteur, atelier, today=today, now=now, base_url=adresse_publique())
    return "success", f"{nombre(len(emises), 'attestation émise', 'attestations émises')}."


def avis_atelier(atelier: Atelier) -> str | None:
    """What the closed workshop's pages tell the mediator about its attestations: ``AVIS_SIGNATAIRE`` while some
    who finished have none and the signatory is not named; else None. Two queries at most."""
    if atelier.statut != "termine" or not atelier.is_locked:
        return None
    if signataire_renseigne(db.session.get(ParametresAttestation, atelier.structure_id)):
        return None
    sans = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Inscription)
        .where(
            Inscription.atelier_id == atelier.id,
            Inscription.statut == "termine",
            ~sa.exists().where(Attestation.inscription_id == Inscription.id, Attestation.revoquee_at.is_(None)),
        )
    )
    return AVIS_SIGNATAIRE if sans else None


def revoquer(auteur: Compte, attestation: Attestation, motif: str, *, now: datetime) -> int:
    """Revoke ``attestation`` for ``motif`` (a code of ``MOTIFS_REVOCATION``); flush only.

    The row, its number and its code stay: the public page then says the attestation was revoked, and when. Its
    messages still waiting in the outbox (``attestations.envois``) are withdrawn (``RAISON_REVOQUEE``); those sent
    stay as they were.

    :return: the number of messages withdrawn.

    :raise DomainError: beside "motif" for an unknown reason; already revoked.
    """
    versions.verrouiller(attestation)
    if attestation.revoquee_at is not None:
        raise DomainError("Cette attestation est déjà révoquée.")
    if motif not in MOTIFS_REVOCATION:
        raise DomainError("Choisissez le motif de la révocation.", "motif")
    attestation.revoquee_at = now
    attestation.motif_revocation = motif
    attestation.revoquee_par_id = auteur.id
    # Not sent yet: dropped, and past its moment so that the outbox cannot resend it (it prints no "RÉVOQUÉE").
    retires = db.session.execute(
        sa.update(Message)
        .where(
            Message.cle.in_([cle_message(attestation.id, canal) for canal in CANAUX_ATTESTATION]),
            Message.statut == "a_envoyer",
        )
        .values(statut="abandonne", derniere_erreur=RAISON_REVOQUEE, valable_jusqu_a=now)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    journal.record(auteur, "modification", "attestation", attestation.id, f"révocation : {motif}")
    db.session.flush()
    return retires


def par_code(code: str) -> Attestation | None:
    """The attestation whose stored code is ``code`` (already normalised, ``attestations.codes``): one unique
    index seek, the structure joined."""
    return db.session.scalar(
        sa.select(Attestation).where(Attestation.code == code).options(joinedload(Attestation.structure))
    )


def images_de(contenus: list[dict]) -> dict[str, bytes]:
    """The bytes of the images that ``contenus`` (snapshots) name, by SHA-256, in one query."""
    empreintes = {c.get(cle) for c in contenus for cle in ("logo", "signature")} - {None}
    if not empreintes:
        return {}
    lignes = db.session.execute(
        sa.select(ImageAttestation.empreinte, ImageAttestation.contenu).where(
            ImageAttestation.empreinte.in_(empreintes)
        )
    )
    return {empreinte_: contenu for empreinte_, contenu in lignes}


@dataclass(frozen=True)
class Parametres:
    """What the admin's settings form gives: texts as typed (stripped), uploaded images as bytes (None: kept)."""

    code_structure: str
    signataire_nom: str
    signataire_fonction: str
    logo: bytes | None = None
    signature: bytes | None = None
    retirer_logo: bool = False
    retirer_signature: bool = False


def parametres_de(structure: Structure) -> ParametresAttestation:
    """The structure's attestation settings, or the defaults (not added to the session) when none were saved."""
    return db.session.get(ParametresAttestation, structure.id) or ParametresAttestation(
        structure_id=structure.id,
        code_structure=codes.code_structure_par_defaut(structure.id),
        signataire_nom="",
        signataire_fonction="",
    )


def enregistrer_parametres(auteur: Compte, structure: Structure, data: Parametres) -> ParametresAttestation:
    """Save the structure's attestation settings; flush only. Attestations already issued keep what they print.

    :raise DomainError: beside "signataire_fonction" when a signatory is named without a function (an
        attestation would print a name with no role); beside "code_structure" when another structure has that
        code, or had it and issued attestations with it (their numbers would be drawn again), or when the code is
        another structure's default (``S`` and its id);
        beside "logo" or "signature" when the image is no PNG or JPEG, too large (``attestations.images``).
    """
    if data.signataire_nom and not data.signataire_fonction:
        raise DomainError(
            "Indiquez la fonction de la personne qui signe (par exemple : Directrice).", "signataire_fonction"
        )
    for champ in ("logo", "signature"):
        contenu = getattr(data, champ)
        if contenu is not None:
            try:
                verifier_image(contenu)
            except ImageRefusee as error:
                raise DomainError(str(error), champ) from error
    if codes.code_structure_par_defaut_de(
        data.code_structure
    ) is not None and data.code_structure != codes.code_structure_par_defaut(structure.id):
        raise DomainError(
            "Ce code est réservé : c'est celui des numéros d'une autre structure tant qu'elle n'en a pas choisi. "
            "Choisissez-en un autre.",
            "code_structure",
        )
    pris = db.session.scalar(
        sa.select(ParametresAttestation.structure_id).where(
            ParametresAttestation.code_structure == data.code_structure,
            ParametresAttestation.structure_id != structure.id,
        )
    )
    if pris is not None:
        raise DomainError("Une autre structure utilise déjà ce code : choisissez-en un autre.", "code_structure")
    # A code another structure used before changing it: its numbers stay, and this structure's counter would draw
    # them again (the unique index would then refuse each attestation, and the closings that issue them).
    # ``<code>-<year>-<sequence>``: the sequence has no dash, so "CCAS" does not match "CCAS-DEMO-2026-00001".
    imprime = db.session.scalar(
        sa.select(Attestation.id)
        .where(
            Attestation.structure_id != structure.id,
            Attestation.numero.like(f"{data.code_structure}-____-%"),
            ~Attestation.numero.like(f"{data.code_structure}-____-%-%"),
        )
        .limit(1)
    )
    if imprime is not None:
        raise DomainError(
            "Ce code figure déjà dans les numéros d'attestations d'une autre structure : choisissez-en un autre.",
            "code_structure",
        )
    parametres = db.session.get(ParametresAttestation, structure.id)
    if parametres is None:
        parametres = ParametresAttestation(structure_id=structure.id)
        db.session.add(parametres)
    parametres.code_structure = data.code_structure
    parametres.signataire_nom = data.signataire_nom
    parametres.signataire_fonction = data.signataire_fonction
    for champ, contenu, retirer in (
        ("logo", data.logo, data.retirer_logo),
        ("signature", data.signature, data.retirer_signature),
    ):
        if contenu is not None:
            setattr(parametres, f"{champ}_empreinte", _image(contenu))
        elif retirer:
            setattr(parametres, f"{champ}_empreinte", None)
    journal.record(auteur, "modification", "structure", structure.id, "paramètres des attestations")
    db.session.flush()
    return parametres


def _image(contenu: bytes) -> str:
    """The hash of ``contenu``, stored once (``ImageAttestation``)."""
    cle = empreinte(contenu)
    if db.session.get(ImageAttestation, cle) is None:
        db.session.add(ImageAttestation(empreinte=cle, type=verifier_image(contenu), contenu=contenu))
    return cle


def _sequence(structure_id: int, annee: int) -> int:
    """The next sequence number of ``structure_id``'s attestations of ``annee``: the counter row is taken by a
    conditional UPDATE (the row lock serialises two issuings), created at 1 the first time (an insert that
    loses a race retries the UPDATE)."""
    for _ in range(3):
        dernier = db.session.execute(
            sa.update(CompteurAttestation)
            .where(CompteurAttestation.structure_id == structure_id, CompteurAttestation.annee == annee)
            .values(dernier=CompteurAttestation.dernier + 1)
            .returning(CompteurAttestation.dernier)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        if dernier is not None:
            return dernier
        try:
            with db.session.begin_nested():
                db.session.add(CompteurAttestation(structure_id=structure_id, annee=annee, dernier=1))
                db.session.flush()
        except IntegrityError:
            continue
        return 1
    raise RuntimeError("compteur d'attestations introuvable")


def instantane(
    inscription: Inscription,
    *,
    type_: str,
    numero: str,
    code: str,
    url_verification: str,
    signataire: dict[str, str],
    emise_on: date,
    logo: str | None = None,
    signature: str | None = None,
) -> dict:
    """The frozen snapshot of an attestation: everything its PDF prints, as plain JSON data.

    Structure (name, address, phone), learner (first name, surname: nothing else personal), workshop (title,
    nature, place), objectives, first and last séance days, séances and minutes planned and attended, the skills
    acquired worded "Je sais ..." (only those judged "acquis", never the others; none for the attendance-only
    version), the place and day of issue, the signatory, the number, the grouped code and the verification URL.
    """
    atelier: Atelier = inscription.atelier
    structure: Structure = atelier.structure
    zone = structure_zone(structure)
    seances: list[Seance] = list(atelier.seances)
    suivies = {s.id for s in seances if inscription.was_enrolled_at(s)}
    presentes = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Presence)
        .where(
            Presence.inscription_id == inscription.id,
            Presence.statut.in_(PRESENT),
            Presence.seance_id.in_(suivies or [0]),
        )
    )
    competences = []
    if type_ == "parcours":
        competences = list(
            db.session.scalars(
                sa.select(Competence.libelle_attestation)
                .join(EvaluationCompetence, EvaluationCompetence.competence_id == Competence.id)
                .join(Module, Module.id == Competence.module_id)
                .where(EvaluationCompetence.inscription_id == inscription.id, EvaluationCompetence.resultat == "acquis")
                .order_by(Module.numero, Competence.numero)
            )
        )
    apprenant = inscription.apprenant
    return {
        "version": VERSION_INSTANTANE,
        "type": type_,
        "titre": TYPES_ATTESTATION[type_],
        "numero": numero,
        "code": codes.code_groupe(code),
        "url_verification": url_verification,
        "structure": {
            "nom": structure.nom,
            "adresse": structure.adresse or "",
            "telephone": display_phone(structure.telephone) if structure.telephone else "",
        },
        "apprenant": {"prenom": apprenant.prenom, "nom": apprenant.nom},
        "atelier": {"intitule": atelier.intitule, "nature": NATURE_ACTION, "lieu": atelier.lieu or ""},
        "objectifs": list(OBJECTIFS),
        "debut_on": to_local(seances[0].starts_at, zone).date().isoformat(),
        "fin_on": to_local(seances[-1].starts_at, zone).date().isoformat(),
        "seances_prevues": len(seances),
        "seances_suivies": presentes,
        "minutes_prevues": sum(int((s.ends_at - s.starts_at).total_seconds() // 60) for s in seances),
        "minutes_suivies": inscription.minutes_suivies,
        "competences": competences,
        "fait_a": structure.commune or structure.nom,
        "emise_on": emise_on.isoformat(),
        "signataire": signataire,
        "logo": logo,
        "signature": signature,
    }
