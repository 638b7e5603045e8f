"""Use cases of the placement questionnaire. Services change rows and ``flush()``; the caller commits once.

A placement is saved as a draft at every step (so a call that drops loses nothing), then completed: the
score and niveau come from the pure rules in ``evaluations.scoring``, and the learner's waiting-list status
follows from the niveau.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from core import journal, versions
from core import services as core_services
from core.errors import DomainError
from core.models import Apprenant, Compte
from core.timeutil import utcnow
from evaluations import queries
from evaluations.models import Positionnement, Questionnaire
from evaluations.scoring import Resultat, score_positionnement
from extensions import db

ALREADY_COMPLETE = "Ce positionnement est déjà terminé : commencez-en un nouveau pour placer à nouveau la personne."
# Statuses a placement never changes: the person is offered or holds a place in a workshop.
STATUTS_INCHANGES = frozenset({"inscrit", "propose"})


@dataclass(frozen=True)
class Saisie:
    """What the mediator entered on the questionnaire page, as plain data for the services.

    ``reponses`` maps question codes to answers: 0/1/2 for scored parts, the chosen label for choice
    questions, the text for free questions; unanswered questions are absent.
    """

    mode: str
    reponses: dict[str, int | str]
    disponibilites: int
    canal_prefere: str


def statut_apres_positionnement(
    statut: str | None, depuis: date | None, niveau: int, today: date
) -> tuple[str | None, date | None]:
    """The waiting-list status and its date after a placement at ``niveau``. Pure.

    Niveau 3 orients the person elsewhere; any other niveau puts them on the waiting list, keeping the date
    they first joined it when they are already waiting (waiting time is never reset by a new placement).
    A person offered or holding a place in a workshop ("propose", "inscrit") keeps their status.
    """
    if statut in STATUTS_INCHANGES:
        return statut, depuis
    if niveau == 3:
        return "oriente", depuis or today
    if statut == "en_attente":
        return statut, depuis or today
    return "en_attente", today


def _check_channel(canal: str, apprenant: Apprenant | None = None, telephone: str | None = None) -> None:
    """The preferred channel must be usable with what is known of the person (``apprenant``, or a new
    candidate's ``telephone``), as on the learner form.

    :raise DomainError: on the field ``canal_prefere``.
    """
    if canal in {"telephone", "sms"}:
        if not (apprenant.telephone if apprenant else telephone):
            raise DomainError("Un numéro est nécessaire pour un contact par téléphone ou SMS.", field="canal_prefere")
        return
    what = "adresse électronique" if canal == "email" else "adresse postale"
    if apprenant is None:
        raise DomainError(
            f"Cette page n'enregistre pas d'{what} : choisissez le téléphone ou le SMS, puis complétez la fiche "
            "de la personne après le positionnement.",
            field="canal_prefere",
        )
    if not (apprenant.email if canal == "email" else apprenant.adresse):
        raise DomainError(
            f"Aucune {what} n'est enregistrée : complétez la fiche ou choisissez un autre moyen.",
            field="canal_prefere",
        )


def _update_contact(auteur: Compte, apprenant: Apprenant, saisie: Saisie) -> None:
    """Part A holds the person's availability and preferred channel: they belong to the learner's record."""
    _check_channel(saisie.canal_prefere, apprenant)
    core_services.update_apprenant(
        auteur, apprenant, {"disponibilites": saisie.disponibilites, "canal_prefere": saisie.canal_prefere}
    )


def _save_answers(auteur: Compte, positionnement: Positionnement, saisie: Saisie) -> None:
    changed = []
    if positionnement.mode != saisie.mode:
        positionnement.mode = saisie.mode
        changed.append("mode")
    if (positionnement.reponses or {}) != saisie.reponses:
        positionnement.reponses = dict(saisie.reponses)
        changed.append("réponses")
    if changed:
        db.session.flush()
        journal.record(auteur, "modification", "positionnement", positionnement.id, "brouillon : " + ", ".join(changed))


CONTACT = ("disponibilites", "canal_prefere")


def instantane_brouillon(positionnement: Positionnement | None, apprenant: Apprenant) -> dict[str, object]:
    """What the questionnaire page shows of a placement: the draft's answers (question code -> answer) and
    ``mode`` (None before any draft), the learner's ``disponibilites`` (mask) and ``canal_prefere``. The
    snapshot of ``core.versions`` for that page."""
    valeurs: dict[str, object] = dict(positionnement.reponses or {}) if positionnement is not None else {}
    valeurs["mode"] = positionnement.mode if positionnement is not None else None
    valeurs.update({name: getattr(apprenant, name) for name in CONTACT})
    return valeurs


def saisie_a_plat(saisie: Saisie) -> dict[str, object]:
    """``saisie`` in the names and form of :func:`instantane_brouillon`."""
    return {**saisie.reponses, "mode": saisie.mode, **{name: getattr(saisie, name) for name in CONTACT}}


def _exiger_inchange(positionnement: Positionnement | None, apprenant: Apprenant, vu: Mapping[str, object]) -> None:
    def auteurs(noms: list[str]) -> dict[str, versions.Auteur]:
        fiche = versions.derniere_modification("apprenant", apprenant.id)
        brouillon = (
            versions.derniere_modification("positionnement", positionnement.id)
            if positionnement is not None
            else (None, None)
        )
        return {name: fiche if name in CONTACT else brouillon for name in noms}

    versions.exiger_inchange(vu, instantane_brouillon(positionnement, apprenant), auteurs)


def save_brouillon(
    auteur: Compte, positionnement: Positionnement, saisie: Saisie, vu: Mapping[str, object] | None = None
) -> Positionnement:
    """Save what was entered so far into the draft ``positionnement`` (no answer is required).

    :param vu: what the questionnaire page showed (``core.versions.lire``, :func:`instantane_brouillon`); None
        skips the check. The draft's row is locked first, so two saves (two people, two tabs) run one at a time.
    :raise core.versions.ModifieEntreTemps: the draft or the learner's contact changed since the page showed
        ``vu``; nothing written.
    :raise DomainError: when the placement is already complete, or the preferred channel is unusable.
    """
    if vu is not None:
        versions.verrouiller(positionnement)
    if not positionnement.is_brouillon:
        raise DomainError(ALREADY_COMPLETE)
    if vu is not None:
        _exiger_inchange(positionnement, positionnement.apprenant, vu)
    _update_contact(auteur, positionnement.apprenant, saisie)
    _save_answers(auteur, positionnement, saisie)
    return positionnement


def start_positionnement(
    auteur: Compte,
    apprenant: Apprenant,
    questionnaire: Questionnaire,
    saisie: Saisie,
    vu: Mapping[str, object] | None = None,
) -> Positionnement:
    """Save ``saisie`` into the learner's open draft, or into a new draft on ``questionnaire`` if none is open.

    A learner has at most one draft: starting again resumes it, so nothing is created twice.

    :param vu: what the page showed (see :func:`save_brouillon`); None skips the check. The learner's row is
        locked first, so two people starting at once do not create two drafts.
    :raise core.versions.ModifieEntreTemps: a draft was started, or the contact changed, since the page showed
        ``vu``; nothing written.
    :raise DomainError: when the preferred channel is unusable.
    """
    if vu is not None:
        versions.verrouiller(apprenant)
    draft = queries.draft_of(apprenant.id)
    if draft is not None:
        return save_brouillon(auteur, draft, saisie, vu)
    if vu is not None:
        _exiger_inchange(None, apprenant, vu)
    _update_contact(auteur, apprenant, saisie)
    positionnement = Positionnement(
        apprenant=apprenant,
        questionnaire=questionnaire,
        compte_id=auteur.id,
        mode=saisie.mode,
        reponses=dict(saisie.reponses),
        is_brouillon=True,
    )
    db.session.add(positionnement)
    db.session.flush()
    journal.record(auteur, "creation", "positionnement", positionnement.id, "brouillon")
    return positionnement


def start_with_new_candidate(
    auteur: Compte, identite: dict, questionnaire: Questionnaire, saisie: Saisie, confirm_duplicate: bool = False
) -> Positionnement:
    """Register the candidate of a first call (name, phone, availability, channel), then start their draft.

    The possible duplicates are checked first: a person already registered matters more than a channel.

    :raise core.services.PossibleDuplicate: when the person may exist already and it is not confirmed.
    :raise DomainError: when the preferred channel is unusable (rows are flushed: the caller rolls back).
    """
    apprenant = core_services.create_apprenant(
        auteur,
        {**identite, "disponibilites": saisie.disponibilites, "canal_prefere": saisie.canal_prefere},
        confirm_duplicate,
    )
    _check_channel(saisie.canal_prefere, telephone=identite.get("telephone"))
    return start_positionnement(auteur, apprenant, questionnaire, saisie)


def complete_positionnement(
    auteur: Compte, positionnement: Positionnement, today: date, confirm_sans_disponibilite: bool = True
) -> Resultat:
    """Score the draft's saved answers, close it, and update the learner's waiting-list status.

    Niveau 3 orients the person elsewhere; any other niveau puts them on the waiting list (see
    ``statut_apres_positionnement``). The last contact becomes ``today``.

    :param confirm_sans_disponibilite: False to refuse putting on the waiting list someone with no half-day
        ticked (the questionnaire page asks first); other callers leave it True.
    :raise evaluations.scoring.ReponsesIncompletes: when a scored question has no answer; nothing is changed.
    :raise core.services.SansDisponibilite: when the person would wait with no half-day, not confirmed;
        nothing is changed.
    :raise DomainError: when the placement is already complete.
    """
    if not positionnement.is_brouillon:
        raise DomainError(ALREADY_COMPLETE)
    resultat = score_positionnement(positionnement.questionnaire.contenu, positionnement.reponses, positionnement.mode)
    apprenant = positionnement.apprenant
    statut, depuis = statut_apres_positionnement(
        apprenant.statut, apprenant.en_attente_depuis_on, resultat.niveau, today
    )
    if statut == "en_attente" and not apprenant.disponibilites and not confirm_sans_disponibilite:
        raise core_services.SansDisponibilite()
    positionnement.score = resultat.score
    positionnement.niveau = resultat.niveau
    positionnement.is_brouillon = False
    positionnement.completed_at = utcnow()
    db.session.flush()
    journal.record(auteur, "modification", "positionnement", positionnement.id, "terminé")
    core_services.update_apprenant(
        auteur, apprenant, {"statut": statut, "en_attente_depuis_on": depuis, "last_contact_on": today}
    )
    return resultat


def record_positionnement_view(auteur: Compte, positionnement: Positionnement, details: str) -> None:
    """Journal that ``auteur`` displayed a placement (its answers are personal data)."""
    journal.consultation(auteur, "positionnement", positionnement.id, details)
