"""Issue 13 item 2: erasure on request anonymises the learner in one transaction, the statistics unchanged."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
import sqlalchemy as sa

from core import home
from core.models import Apprenant, Journal, Message, PieceJointe
from entrainements import suivi_plan
from extensions import db
from rgpd import effacement
from tests.attestations_fixtures import APRES_LA_FIN
from tests.rgpd_fixtures import ADRESSE, EMAIL

NOW = datetime(2026, 6, 1, 8, 0)
TRACES = ("josiane", "martin", "612345678", "6 12 34 56 78", EMAIL, ADRESSE.lower(), "33000")
# What an erasure may change; every other column of every table must be the same before and after.
CHANGEANTES = {
    "apprenant": {
        "prenom",
        "nom",
        "nom_recherche",
        "telephone",
        "email",
        "adresse",
        "code_postal",
        "anonymise_at",
        "updated_at",
    },
    "message": {"objet", "corps", "statut", "derniere_erreur"},
    "attestation": {"contenu"},
    "journal": set(),
}
# Tables whose rows about the person an erasure deletes: the files attached to her messages (an attestation's PDF
# prints her name).
SUPPRIMEES = {"piece_jointe"}


def _textes() -> list[tuple[str, str, str]]:
    """(table, column, value) of every text, JSON or binary value in the database (bytes read as UTF-8, so a file
    attached to a message is scanned too)."""
    found = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.c if isinstance(c.type, sa.String | sa.Text | sa.JSON | sa.LargeBinary)]
        for row in db.session.execute(sa.select(*columns)).all() if columns else ():
            for column, value in zip(columns, row, strict=True):
                if value is None:
                    continue
                if isinstance(value, bytes):
                    text = value.decode("utf-8", errors="replace")
                else:
                    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                found.append((table.name, column.name, text.lower()))
    return found


def _tout_sauf_le_nominatif() -> dict[str, list]:
    """Every row of every table except the journal, without the columns an erasure may change."""
    tables = {}
    for table in db.metadata.sorted_tables:
        if table.name == "journal" or table.name in SUPPRIMEES:
            continue
        columns = [c for c in table.c if c.name not in CHANGEANTES.get(table.name, set())]
        tables[table.name] = sorted(map(tuple, db.session.execute(sa.select(*columns)).all()), key=repr)
    return tables


def _sans_entrainements_a_venir(dossier, mediatrice) -> None:
    suivi_plan.changer_statut(mediatrice, dossier.plan, "decline", today=APRES_LA_FIN, now=NOW)
    db.session.commit()


def test_erasure_leaves_no_name_phone_email_nor_address_and_the_statistics_unchanged(
    dossier_complet, mediatrice, make_compte
):
    _sans_entrainements_a_venir(dossier_complet, mediatrice)
    direction = make_compte("direction")
    assert any("martin" in value for _t, _c, value in _textes())  # the scan does see her before
    avant, tableau_avant = _tout_sauf_le_nominatif(), home.board_for(direction, APRES_LA_FIN)

    bilan = effacement.effacer(mediatrice, dossier_complet.apprenant, now=NOW)
    db.session.commit()
    db.session.expire_all()

    restes = [(t, c) for t, c, value in _textes() if any(trace in value for trace in TRACES)]
    assert restes == []
    assert _tout_sauf_le_nominatif() == avant
    assert home.board_for(direction, APRES_LA_FIN) == tableau_avant
    apprenant = db.session.get(Apprenant, dossier_complet.apprenant.id)
    assert apprenant.nom_complet == f"Personne effacée n° {apprenant.id}"
    assert (apprenant.anonymise_at, apprenant.commune, apprenant.tranche_age) == (NOW, "Testville", "60_74")
    assert (bilan.messages, bilan.messages_abandonnes, bilan.attestations) == (2, 1, 1)
    assert bilan.pieces_jointes == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PieceJointe)) == 0
    statuts = set(db.session.scalars(sa.select(Message.statut).where(Message.apprenant_id == apprenant.id)))
    assert statuts == {"envoye", "abandonne"}  # the one still to send never leaves
    entree = db.session.scalars(sa.select(Journal).where(Journal.action == "effacement")).one()
    assert (entree.compte_id, entree.objet, entree.objet_id) == (mediatrice.id, "apprenant", apprenant.id)
    assert "martin" not in entree.details.lower()


def test_erasure_is_refused_while_the_person_is_in_a_running_workshop(atelier, mediatrice):
    apprenant = atelier.inscriptions[0].apprenant
    with pytest.raises(effacement.EffacementRefuse, match="inscrite à un atelier qui n'est pas encore clos"):
        effacement.effacer(mediatrice, apprenant, now=NOW)
    db.session.rollback()
    assert db.session.get(Apprenant, apprenant.id).anonymise_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Journal).where(Journal.action == "effacement")) == 0


def test_erasure_is_refused_while_practice_sessions_are_to_come(dossier_complet, mediatrice):
    with pytest.raises(effacement.EffacementRefuse, match="2 entraînements prévus"):
        effacement.effacer(mediatrice, dossier_complet.apprenant, now=NOW)
    db.session.rollback()
    assert db.session.get(Apprenant, dossier_complet.apprenant.id).telephone is not None


def test_erasing_twice_is_refused_and_changes_nothing(make_apprenant, mediatrice):
    apprenant = make_apprenant(prenom="Nadia", nom="Ferhat", statut="en_attente", en_attente_depuis_on=APRES_LA_FIN)
    effacement.effacer(mediatrice, apprenant, now=NOW)
    db.session.commit()
    assert apprenant.statut == "retire"  # off the waiting list: nobody could call her for a group
    journal_avant = db.session.scalar(sa.select(sa.func.count()).select_from(Journal))
    with pytest.raises(effacement.EffacementRefuse, match="déjà été effacées le lundi 1er juin 2026"):
        effacement.effacer(mediatrice, apprenant, now=datetime(2026, 6, 2, 8, 0))
    db.session.rollback()
    assert db.session.get(Apprenant, apprenant.id).anonymise_at == NOW
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Journal)) == journal_avant
