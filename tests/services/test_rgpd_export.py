"""Issue 13 item 1: everything held about a learner, as JSON and as the plain-French view the PDF prints."""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa

from extensions import db
from rgpd import export
from tests.rgpd_fixtures import CORPS, EMAIL, TELEPHONE

NOW = datetime(2026, 6, 1, 8, 0)
# The learner's own row is keyed by ``id``; every other table that mentions a learner holds one of these.
CLES = ("apprenant_id", "inscription_id")


def _ids_en_base(table: sa.Table, apprenant_id: int, inscription_ids: list[int]) -> set[int]:
    conditions = []
    if "apprenant_id" in table.c:
        conditions.append(table.c.apprenant_id == apprenant_id)
    if "inscription_id" in table.c:
        conditions.append(table.c.inscription_id.in_(inscription_ids))
    return set(db.session.scalars(sa.select(table.c.id).where(sa.or_(*conditions))))


def test_the_json_lists_every_row_of_every_table_that_mentions_the_learner(dossier_complet):
    apprenant = dossier_complet.apprenant
    donnees = json.loads(json.dumps(export.donnees(apprenant, now=NOW)))  # what the download carries
    tables = donnees["tables"]
    inscription_ids = [row["id"] for row in tables["inscription"]]
    assert inscription_ids
    concernees = [t for t in db.metadata.sorted_tables if any(cle in t.c for cle in CLES)]
    assert len(concernees) >= 12
    for table in concernees:
        attendus = _ids_en_base(table, apprenant.id, inscription_ids)
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
    assert "Attestation de fin de parcours n° " in sections["Vos attestations"]
    assert all(s.lignes for s in fiche.sections), [s.titre for s in fiche.sections if not s.lignes]
