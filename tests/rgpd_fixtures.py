"""A learner with data in every table, for the export and erasure tests (registered by tests/conftest.py).

Josiane Martin of the closed workshop (tests/attestations_fixtures.py) with her contact details filled in, a
placement with answers, an alert and a follow-up call, a catch-up, her practice plan (made at closing) with one
session attended and its skill judged, two messages (one sent, with her attestation's PDF attached; one still to
send) and her attestation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest

from ateliers.models import Alerte, Rattrapage, Suivi
from attestations import services as attestations
from core.models import Apprenant, Message, PieceJointe
from entrainements.models import Occurrence, PlanEntrainement, Reservation, ResultatEntrainement
from evaluations.curriculum import current_questionnaire
from evaluations.models import Positionnement
from extensions import db
from tests.ateliers_fixtures import inscription_of
from tests.attestations_fixtures import APRES_LA_FIN, BASE_URL
from tests.entrainements_fixtures import make_creneau

TELEPHONE = "+33612345678"
EMAIL = "josiane.martin@example.org"
ADRESSE = "12 rue des Lilas"
CORPS = "Bonjour Josiane Martin, votre entraînement a lieu mardi 2 juin à 14 h."
# The bytes of the file attached to the sent message: her name in it, as in an attestation's PDF.
PIECE = b"%PDF-1.4 Attestation de fin d'atelier : Josiane Martin"


@dataclass
class Dossier:
    apprenant: Apprenant
    plan: PlanEntrainement


@pytest.fixture
def dossier_complet(atelier_clos, mediatrice, structure) -> Dossier:
    inscription = inscription_of(atelier_clos, "Martin")
    martin = inscription.apprenant
    martin.telephone, martin.email, martin.adresse = TELEPHONE, EMAIL, ADRESSE
    martin.code_postal, martin.commune, martin.tranche_age = "33000", "Testville", "60_74"
    db.session.add(
        Positionnement(
            apprenant_id=martin.id,
            questionnaire_id=current_questionnaire().id,
            compte_id=mediatrice.id,
            mode="telephone",
            reponses={"A1": "oui", "B1": "2", "B2": "1"},
            score=40,
            niveau=1,
            is_brouillon=False,
            created_at=datetime(2026, 2, 20, 9, 0),
            completed_at=datetime(2026, 2, 20, 9, 20),
        )
    )
    suivi = Suivi(inscription_id=inscription.id, appel_on=date(2026, 4, 14), resultat="joint", suite="revient")
    db.session.add(suivi)
    db.session.flush()
    db.session.add(
        Alerte(
            inscription_id=inscription.id,
            regle="absence_non_excusee",
            niveau_risque="a_rappeler",
            seance_numero=2,
            module_numero=2,
            message="Absence sans excuse à la séance 2",
            traitee_par_suivi_id=suivi.id,
        )
    )
    module_2 = atelier_clos.seances[1].module
    db.session.add(
        Rattrapage(
            inscription_id=inscription.id,
            module_id=module_2.id,
            prevu_at=datetime(2026, 4, 16, 8, 0),
            fait_on=date(2026, 4, 16),
            compte_id=mediatrice.id,
        )
    )
    plan = db.session.query(PlanEntrainement).filter_by(inscription_id=inscription.id).one()
    premier = plan.entrainements[0]
    creneau = make_creneau(structure)
    occurrence = Occurrence(
        creneau_id=creneau.id,
        structure_id=structure.id,
        jour=date(2026, 5, 19),
        starts_at=datetime(2026, 5, 19, 12, 0),
        ends_at=datetime(2026, 5, 19, 14, 0),
        capacite=2,
        places_prises=1,
    )
    db.session.add(occurrence)
    db.session.flush()
    reservation = Reservation(
        entrainement_id=premier.id,
        occurrence_id=occurrence.id,
        apprenant_id=martin.id,
        jour=occurrence.jour,
        statut="honoree",
        cloturee_at=datetime(2026, 5, 19, 14, 0),
    )
    premier.statut = "honore"
    db.session.add(reservation)
    db.session.flush()
    db.session.add(
        ResultatEntrainement(reservation_id=reservation.id, competence_id=premier.competences[0], resultat="acquis")
    )
    for numero, statut in enumerate(("envoye", "a_envoyer"), start=1):
        db.session.add(
            Message(
                structure_id=structure.id,
                apprenant_id=martin.id,
                cle=f"test:{numero}",
                type="convocation",
                canal="email",
                statut=statut,
                objet="Votre entraînement",
                corps=CORPS,
                envoye_at=datetime(2026, 5, 15, 8, 0) if statut == "envoye" else None,
                created_at=datetime(2026, 5, 15, 8, 0),
                pieces_jointes=(
                    [PieceJointe(nom_fichier="attestation-test.pdf", type_media="application/pdf", contenu=PIECE)]
                    if statut == "envoye"
                    else []
                ),
            )
        )
    attestations.emettre(
        mediatrice, inscription, today=APRES_LA_FIN, now=datetime(2026, 5, 12, 9, 0), base_url=BASE_URL
    )
    db.session.commit()
    return Dossier(martin, plan)
