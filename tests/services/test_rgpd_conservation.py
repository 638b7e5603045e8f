"""Issue 13 item 3: the retention sweep (anonymise after the structure's period, empty old message bodies and delete
their attached files, delete journal rows over 12 months), idempotent, journaled with counts; the dry run changes
nothing.

The journal's triggers compare with the database's own clock, so these tests run the sweep at the real present
moment and date the rows back from it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from ateliers.models import Inscription, Suivi
from core.models import Apprenant, Journal, Message, PieceJointe
from core.timeutil import utcnow
from extensions import db
from rgpd import jobs
from tests.ateliers_fixtures import make_atelier


def _il_y_a(jours: int) -> datetime:
    return utcnow() - timedelta(days=jours)


def _message(structure, apprenant, cle: str, jours: int, statut: str = "envoye", piece: bool = False) -> Message:
    message = Message(
        structure_id=structure.id,
        apprenant_id=apprenant.id,
        cle=cle,
        type="rappel",
        canal="sms",
        statut=statut,
        objet="",
        corps="Rappel : entraînement demain à 14 h.",
        envoye_at=_il_y_a(jours) if statut == "envoye" else None,
        created_at=_il_y_a(jours),
        pieces_jointes=[PieceJointe(nom_fichier=f"{cle}.pdf", type_media="application/pdf", contenu=b"%PDF")]
        if piece
        else [],
    )
    db.session.add(message)
    return message


def _journal(structure, jours: int) -> None:
    db.session.add(
        Journal(structure_id=structure.id, action="consultation", objet="apprenant", created_at=_il_y_a(jours))
    )


def _compter_journal(structure_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Journal).where(Journal.structure_id == structure_id)
    )


def _situation(structure, make_apprenant):
    """Five learners registered three years ago: one with no contact since (due), one called a year ago, one in a
    running workshop, one with a recent record contact day; and one registered last month."""
    ancien = make_apprenant(prenom="Odette", nom="Ancienne", email="odette@example.org", created_at=_il_y_a(1100))
    appelee = make_apprenant(prenom="Lucie", nom="Appelée", created_at=_il_y_a(1100))
    atelier_clos = make_atelier(structure, [appelee], joined_at=_il_y_a(1000), statut="termine")
    inscription = atelier_clos.inscriptions[0]
    inscription.statut, inscription.ended_at = "termine", _il_y_a(900)
    db.session.add(
        Suivi(inscription_id=inscription.id, appel_on=_il_y_a(365).date(), resultat="joint", suite="revient")
    )
    en_cours = make_apprenant(prenom="Rémi", nom="Encours", created_at=_il_y_a(1100))
    make_atelier(structure, [en_cours], joined_at=_il_y_a(1000), intitule="Atelier sans fin")
    revenue = make_apprenant(
        prenom="Sylvie", nom="Revenue", created_at=_il_y_a(1100), last_contact_on=_il_y_a(30).date()
    )
    nouvelle = make_apprenant(prenom="Inès", nom="Nouvelle", created_at=_il_y_a(30))
    _message(structure, revenue, "vieux", 120, piece=True)
    _message(structure, nouvelle, "recent", 60, piece=True)
    _message(structure, nouvelle, "en-attente", 120, statut="a_envoyer")
    _journal(structure, 400)
    _journal(structure, 380)
    _journal(structure, 300)
    db.session.commit()
    return ancien, appelee, en_cours, revenue, nouvelle


def test_the_sweep_anonymises_who_is_due_empties_old_bodies_deletes_old_journal_rows_once(structure, make_apprenant):
    ancien, *gardes = _situation(structure, make_apprenant)
    journal_avant = _compter_journal(structure.id)

    (rapport, sans_structure) = jobs.conserver(utcnow())

    assert (rapport.structure_id, rapport.apprenants, rapport.messages, rapport.journal) == (
        structure.id,
        [ancien.id],
        1,
        2,
    )
    assert sans_structure.structure_id is None
    db.session.expire_all()
    odette = db.session.get(Apprenant, ancien.id)
    assert (odette.prenom, odette.email, odette.anonymise_at is not None) == ("Personne", None, True)
    assert all(db.session.get(Apprenant, a.id).anonymise_at is None for a in gardes)
    corps = dict(db.session.execute(sa.select(Message.cle, Message.corps)).all())
    assert corps == {"vieux": "", "recent": "Rappel : entraînement demain à 14 h.", "en-attente": corps["en-attente"]}
    assert corps["en-attente"]  # a message still to send is the send sweep's business
    assert rapport.pieces_jointes == 1
    assert list(db.session.scalars(sa.select(PieceJointe.nom_fichier))) == ["recent.pdf"]
    entrees = db.session.scalars(sa.select(Journal).where(Journal.action == "effacement").order_by(Journal.id)).all()
    assert [(e.objet, e.objet_id) for e in entrees] == [
        ("apprenant", ancien.id),
        ("structure", structure.id),
        ("conservation", None),
    ]
    assert entrees[-1].details == (
        "passage : 1 structure(s) ; personnes anonymisées : 1 ; messages vidés : 1 ; pièces jointes supprimées : 1 ; "
        "lignes du journal supprimées : 2"
    )
    assert entrees[-2].details == (
        "conservation : personnes anonymisées : 1 ; messages vidés : 1 ; pièces jointes supprimées : 1 ; "
        "lignes du journal supprimées : 2"
    )
    assert _compter_journal(structure.id) == journal_avant - 2 + 2

    # Run again: nothing left to do, nothing changed; the run itself is journaled, with zeros.
    (rapport, _sans_structure) = jobs.conserver(utcnow())
    assert rapport.vide
    assert _compter_journal(structure.id) == journal_avant
    dernier = db.session.scalars(sa.select(Journal).order_by(Journal.id.desc())).first()
    assert (dernier.objet, dernier.details) == (
        "conservation",
        "passage : 1 structure(s) ; personnes anonymisées : 0 ; messages vidés : 0 ; pièces jointes supprimées : 0 ; "
        "lignes du journal supprimées : 0",
    )


def test_the_period_is_the_structures_setting(structure, make_apprenant):
    structure.conservation_mois = 36
    recente = make_apprenant(created_at=_il_y_a(1000))  # 33 months: kept under 36, due under 24
    db.session.commit()
    assert jobs.conserver(utcnow(), appliquer=False)[0].apprenants == []
    structure.conservation_mois = 24
    db.session.commit()
    assert jobs.conserver(utcnow(), appliquer=False)[0].apprenants == [recente.id]


def test_the_dry_run_lists_the_same_work_and_changes_nothing(structure, make_apprenant):
    ancien, *_ = _situation(structure, make_apprenant)
    journal_avant = _compter_journal(structure.id)

    (rapport, _sans_structure) = jobs.conserver(utcnow(), appliquer=False)

    assert (rapport.apprenants, rapport.messages, rapport.pieces_jointes, rapport.journal) == ([ancien.id], 1, 1, 2)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PieceJointe)) == 2
    assert db.session.get(Apprenant, ancien.id).anonymise_at is None
    assert db.session.scalar(sa.select(Message.corps).where(Message.cle == "vieux"))
    assert _compter_journal(structure.id) == journal_avant


def test_the_running_workshop_member_is_never_due(structure, make_apprenant):
    *_, en_cours, _revenue, _nouvelle = _situation(structure, make_apprenant)
    assert db.session.scalar(sa.select(Inscription.statut).where(Inscription.apprenant_id == en_cours.id)) == "inscrit"
    assert en_cours.id not in jobs.conserver(utcnow(), appliquer=False)[0].apprenants
