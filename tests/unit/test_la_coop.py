"""La Coop's collective activities from séances held (pure): one row per séance, its fields, the topics of each
module, no row for a séance nobody came to."""

from __future__ import annotations

from datetime import date

from pilotage import la_coop
from pilotage.la_coop import SeanceTenue

# La Coop's topic codes (its API, "thematiques"), as listed by La Coop's activity record.
CODES_LA_COOP = {
    "diagnostic_numerique",
    "prendre_en_main_du_materiel",
    "maintenance_de_materiel",
    "gere_ses_contenus_numeriques",
    "navigation_sur_internet",
    "email",
    "bureautique",
    "reseaux_sociaux",
    "sante",
    "banque_et_achats_en_ligne",
    "entrepreneuriat",
    "insertion_professionnelle",
    "securite_numerique",
    "parentalite",
    "scolarite_et_numerique",
    "creer_avec_le_numerique",
    "culture_numerique",
    "intelligence_artificielle",
    "aide_aux_demarches_administratives",
}


def seance(**autres) -> SeanceTenue:
    valeurs = {
        "jour": date(2026, 3, 30),
        "minutes": 180,
        "participants": 3,
        "structure": "CCAS de Saint-Test",
        "commune": "Testville",
        "atelier": "Lundi matin",
        "numero": 1,
        "module_numero": 1,
        "module_titre": "L'ordinateur, la souris, le clavier",
        "niveau_cible": 1,
    }
    return SeanceTenue(**{**valeurs, **autres})


def test_every_module_has_la_coop_topics_and_only_real_ones():
    for numero in range(1, 7):
        assert la_coop.thematiques(numero), numero
        assert set(la_coop.thematiques(numero)) <= CODES_LA_COOP
    assert set(la_coop.THEMATIQUES) <= CODES_LA_COOP
    assert la_coop.thematiques(5) == ("email", "securite_numerique")
    assert la_coop.thematiques(7) == ()


def test_a_seance_is_one_collective_activity_field_by_field():
    ligne = dict(
        zip(la_coop.COLONNES, la_coop.ligne(seance(numero=3, module_numero=3, module_titre="Naviguer")), strict=True)
    )
    assert ligne == {
        "Date": date(2026, 3, 30),
        "Type d'activité": "Atelier collectif",
        "Nombre de participants": 3,
        "Durée (min)": 180,
        "Type de lieu": "Lieu d'activité",
        "Lieu d'activité": "CCAS de Saint-Test",
        "Commune": "Testville",
        "Nom de l'atelier": "Lundi matin – séance 3 : Naviguer",
        "Niveau de l'atelier": "Débutant",
        "Matériel numérique utilisé": "Ordinateur",
        "Thématiques": "Navigation sur internet, Prévention en sécurité numérique",
        "Thématiques (codes La Coop)": "navigation_sur_internet, securite_numerique",
    }


def test_the_workshop_level_follows_its_target_niveau():
    niveau = la_coop.COLONNES.index("Niveau de l'atelier")
    assert [la_coop.ligne(seance(niveau_cible=n))[niveau] for n in (None, 0, 2, 3)] == [
        "Débutant",
        "Débutant",
        "Débutant",
        "Intermédiaire",
    ]


def test_the_table_is_in_date_order_and_leaves_out_a_seance_nobody_came_to():
    tableau = la_coop.tableau(
        [
            seance(jour=date(2026, 4, 13), numero=2, module_numero=2),
            seance(jour=date(2026, 3, 30)),
            seance(jour=date(2026, 4, 20), numero=3, participants=0),
        ],
        "année 2026",
    )
    assert tableau.nom == "la_coop"
    assert tableau.titre.endswith("année 2026")
    assert [ligne[0] for ligne in tableau.lignes] == [date(2026, 3, 30), date(2026, 4, 13)]
    assert "Aucun nom" in tableau.definition
