"""Issue 13 item 1: everything held about a learner, as JSON and as the plain-French view the PDF prints."""

from __future__ import annotations

import base64
import json
from datetime import datetime

import sqlalchemy as sa

from extensions import db
from rgpd import export
from tests.rgpd_fixtures import CORPS, EMAIL, PIECE, TELEPHONE

NOW = datetime(2026, 6, 1, 8, 0)


def _lignes_de_la_personne(apprenant_id: int) -> dict[str, set[int]]:
    """Every table that points to the learner's row, directly or through other such tables (a message's attached
    file, a practice session's result), found by walking the model metadata's foreign keys, with the ids of its
    rows about ``apprenant_id`` (empty when it has none)."""
    atteintes: dict[str, set[int]] = {"apprenant": {apprenant_id}}
    for table in db.metadata.sorted_tables:  # parents first: a table's targets are walked before it
        cles = [fk for fk in table.foreign_keys if fk.column.table.name in atteintes and fk.column.table is not table]
        if table.name == "apprenant" or not cles:
            continue
        conditions = [fk.parent.in_(atteintes[fk.column.table.name]) for fk in cles]
        atteintes[table.name] = set(db.session.scalars(sa.select(table.c.id).where(sa.or_(*conditions))))
    return atteintes


def test_the_json_lists_every_row_of_every_table_that_mentions_the_learner(dossier_complet):
    apprenant = dossier_complet.apprenant
    donnees = json.loads(json.dumps(export.donnees(apprenant, now=NOW)))  # what the download carries
    tables = donnees["tables"]
    concernees = _lignes_de_la_personne(apprenant.id)
    assert len(concernees) >= 15
    for table in db.metadata.sorted_tables:
        if table.name not in concernees:
            continue
        attendus = concernees[table.name]
        assert attendus, f"the fixture has no row in {table.name}: the test would prove nothing there"
        assert table.name in tables, f"{table.name} mentions learners but is not exported"
        assert {row["id"] for row in tables[table.name]} == attendus, table.name
        # Every column, under its own name.
        assert all(set(row) == {c.key for c in table.c} for row in tables[table.name]), table.name
    assert [row["id"] for row in tables["apprenant"]] == [apprenant.id]
    assert tables["resultat_entrainement"], "skills judged at practice sessions are exported too"
    identite = tables["apprenant"][0]
    assert (identite["telephone"], identite["email"]) == (TELEPHONE, EMAIL)
    assert {m["corps"] for m in tables["message"]} == {CORPS}
    (piece,) = tables["piece_jointe"]
    assert base64.b64decode(piece["contenu"]) == PIECE  # the attached file itself, in Base64
    assert tables["attestation"][0]["contenu"]["apprenant"] == {"prenom": "Josiane", "nom": "Martin"}
    assert donnees["format"] == export.FORMAT and donnees["version"] == 1
    assert donnees["genere_le"] == "2026-06-01T08:00:00Z"
    competence = tables["evaluation_competence"][0]["competence_id"]
    assert donnees["references"]["competence"][str(competence)]["code"].startswith("M")


def test_the_french_view_has_every_section_in_plain_words(dossier_complet):
    fiche = export.fiche(dossier_complet.apprenant, now=NOW)
    assert fiche.personne == "Josiane Martin" and fiche.le == "lundi 1er juin 2026"
    sections = {s.titre: "\n".join(s.lignes) for s in fiche.sections}
    assert "Téléphone : 06 12 34 56 78" in sections["Votre identité et vos coordonnées"]
    assert "score 40 sur 100" in sections["Vos positionnements et vos réponses"]
    assert "– Avez-vous un ordinateur chez vous ? oui" in sections["Vos positionnements et vos réponses"]
    assert (
        "– Savez-vous allumer et éteindre un ordinateur ? Oui, seul" in sections["Vos positionnements et vos réponses"]
    )
    assert "parcours terminé" in sections["Vos ateliers"]
    assert "séance 1 du lundi 30 mars 2026 : présence." in sections["Vos présences"]
    assert "Rattrapage du module 2 : fait le jeudi 16 avril 2026." in sections["Vos présences"]
    assert "M1.1" in sections["Vos compétences"] and "acquis (fait seul)" in sections["Vos compétences"]
    assert "personne jointe, suite : revient" in sections["Les appels de suivi"]
    assert "Séance d'entraînement du mardi 19 mai 2026, 14 h 00 : venue." in sections["Vos entraînements"]
    assert CORPS in sections["Les messages envoyés"]
    assert "Fichier joint : attestation-test.pdf" in sections["Les messages envoyés"]
    assert "Attestation de fin de parcours n° " in sections["Vos attestations"]
    assert all(s.lignes for s in fiche.sections), [s.titre for s in fiche.sections if not s.lignes]
