"""Issuing and revoking attestations (issue 11, items 1, 2 and 6): who may get one, what its snapshot holds,
numbers never reused, one attestation not revoked per inscription."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from ateliers import cloture
from attestations import attestation_pdf, codes, services
from attestations.models import Attestation, CompteurAttestation, ParametresAttestation
from core.errors import DomainError
from core.models import Journal
from evaluations.models import Competence
from extensions import db
from tests.ateliers_fixtures import inscription_of
from tests.attestations_fixtures import APRES_LA_FIN, BASE_URL, CLOTURE

EMISSION = datetime(2026, 5, 12, 9, 0)


def emettre(mediatrice, inscription, **kwargs):
    attestation = services.emettre(
        mediatrice, inscription, today=APRES_LA_FIN, now=EMISSION, base_url=BASE_URL, **kwargs
    )
    db.session.commit()
    return attestation


def test_a_workshop_not_closed_gives_no_attestation(atelier_suivi, mediatrice):
    with pytest.raises(DomainError, match="n'est pas clos"):
        emettre(mediatrice, inscription_of(atelier_suivi, "Martin"))
    db.session.rollback()
    with pytest.raises(DomainError, match="n'est pas clos"):
        services.emettre_atelier(mediatrice, atelier_suivi, today=APRES_LA_FIN, now=EMISSION, base_url=BASE_URL)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attestation)) == 0


def test_an_unlocked_workshop_gives_none_until_locked_again(atelier_clos, mediatrice):
    cloture.deverrouiller(mediatrice, atelier_clos, "Séance 4 mal notée")
    db.session.commit()
    with pytest.raises(DomainError, match="reverrouillez"):
        emettre(mediatrice, inscription_of(atelier_clos, "Martin"))


def test_the_snapshot_holds_what_is_printed_and_only_skills_acquired(atelier_clos, mediatrice, structure):
    martin = inscription_of(atelier_clos, "Martin")
    attestation = emettre(mediatrice, martin)
    contenu = attestation.contenu
    assert attestation.type == contenu["type"] == "parcours"
    assert contenu["apprenant"] == {"prenom": "Josiane", "nom": "Martin"}
    assert contenu["atelier"] == {
        "intitule": "Atelier du lundi matin",
        "nature": "action d'initiation au numérique",
        "lieu": "Salle 2",
    }
    assert (contenu["debut_on"], contenu["fin_on"], contenu["emise_on"]) == ("2026-03-30", "2026-05-11", "2026-05-12")
    assert (contenu["seances_prevues"], contenu["seances_suivies"]) == (6, 6)
    assert (contenu["minutes_prevues"], contenu["minutes_suivies"]) == (18 * 60, martin.minutes_suivies)
    # Acquired only ("avec aide" and "non acquis" are never printed), in the curriculum's order.
    assert contenu["competences"] == [
        "Je sais nommer les éléments d'un ordinateur, l'allumer, ouvrir ma session et l'éteindre correctement",
        "Je sais cliquer sur une cible et double-cliquer pour ouvrir une icône",
        "Je sais faire un clic droit pour ouvrir un menu et déplacer une icône",
        "Je sais taper une phrase et la corriger",
        "Je sais trouver une application par le menu Démarrer ou la recherche",
        "Je sais, seul, allumer l'ordinateur, retrouver un fichier, l'envoyer par courriel et éteindre",
    ]
    assert all(c.startswith(("Je sais", "J'ai")) for c in contenu["competences"])
    assert contenu["signataire"] == {"nom": "Awa Diallo", "fonction": "Médiation numérique"}
    assert contenu["structure"]["nom"] == structure.nom and contenu["fait_a"] == "Testville"
    assert contenu["numero"] == attestation.numero == f"S{structure.id}-2026-00001"
    assert contenu["code"] == codes.code_groupe(attestation.code)
    assert contenu["url_verification"] == f"http://localhost/verifier/{attestation.code}"
    journal = db.session.scalars(sa.select(Journal.details).where(Journal.objet == "attestation")).all()
    assert journal == [f"émission parcours n° {attestation.numero}"]


def test_an_abandon_gets_the_attendance_only_version_on_request_only(atelier_clos, mediatrice):
    bernard = inscription_of(atelier_clos, "Bernard")
    with pytest.raises(DomainError, match="à sa demande") as refus:
        emettre(mediatrice, bernard)
    assert refus.value.field == "presence_seule"
    db.session.rollback()
    attestation = emettre(mediatrice, inscription_of(atelier_clos, "Bernard"), presence_seule=True)
    contenu = attestation.contenu
    assert (attestation.type, contenu["titre"]) == ("presence", "Attestation de présence")
    assert contenu["competences"] == []
    assert (contenu["seances_suivies"], contenu["minutes_suivies"], contenu["minutes_prevues"]) == (3, 9 * 60, 18 * 60)


def test_twice_for_one_inscription_is_refused_until_revoked(atelier_clos, mediatrice):
    premiere = emettre(mediatrice, inscription_of(atelier_clos, "Martin"))
    with pytest.raises(DomainError, match=f"déjà émise pour cette personne \\(n° {premiere.numero}\\)"):
        emettre(mediatrice, inscription_of(atelier_clos, "Martin"))
    db.session.rollback()

    with pytest.raises(DomainError) as refus:
        services.revoquer(mediatrice, premiere, "inconnu", now=EMISSION)
    assert refus.value.field == "motif"
    db.session.rollback()
    services.revoquer(mediatrice, premiere, "erreur", now=datetime(2026, 5, 13, 9, 0))
    db.session.commit()
    with pytest.raises(DomainError, match="déjà révoquée"):
        services.revoquer(mediatrice, premiere, "erreur", now=EMISSION)
    db.session.rollback()

    seconde = emettre(mediatrice, inscription_of(atelier_clos, "Martin"))
    assert seconde.numero != premiere.numero and seconde.code != premiere.code
    assert seconde.numero.endswith("-00002")  # never reused
    assert db.session.scalar(sa.select(Journal.details).where(Journal.details.like("révocation%"))) == (
        "révocation : erreur"
    )


def test_the_database_allows_one_attestation_not_revoked_per_inscription(atelier_clos, mediatrice):
    premiere = emettre(mediatrice, inscription_of(atelier_clos, "Martin"))
    double = Attestation(
        structure_id=premiere.structure_id,
        inscription_id=premiere.inscription_id,
        type="parcours",
        numero="S1-2026-99999",
        code=codes.nouveau_code(),
        contenu={},
    )
    db.session.add(double)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_issuing_a_workshop_covers_those_who_finished_once(atelier_clos, mediatrice):
    emises = services.emettre_atelier(mediatrice, atelier_clos, today=APRES_LA_FIN, now=EMISSION, base_url=BASE_URL)
    db.session.commit()
    assert [a.inscription.apprenant.nom for a in emises] == ["Martin"]
    assert services.emettre_atelier(mediatrice, atelier_clos, today=APRES_LA_FIN, now=EMISSION, base_url=BASE_URL) == []


def test_numbers_follow_per_structure_and_year_with_the_structure_code(
    atelier_clos, mediatrice, structure, make_structure
):
    db.session.add(
        ParametresAttestation(
            structure_id=structure.id,
            code_structure="CCAS-TEST",
            signataire_nom="Lucie Roy",
            signataire_fonction="Directrice du CCAS",
        )
    )
    db.session.add(CompteurAttestation(structure_id=structure.id, annee=2025, dernier=41))
    db.session.commit()
    attestation = emettre(mediatrice, inscription_of(atelier_clos, "Martin"))
    assert attestation.numero == "CCAS-TEST-2026-00001"
    assert attestation.contenu["signataire"] == {"nom": "Lucie Roy", "fonction": "Directrice du CCAS"}
    suivante = emettre(mediatrice, inscription_of(atelier_clos, "Bernard"), presence_seule=True)
    assert suivante.numero == "CCAS-TEST-2026-00002"
    assert db.session.get(CompteurAttestation, (structure.id, 2025)).dernier == 41


def test_the_snapshot_is_frozen_later_changes_print_the_same_bytes(atelier_clos, mediatrice):
    martin = inscription_of(atelier_clos, "Martin")
    attestation = emettre(mediatrice, martin)
    avant = attestation_pdf.render(attestation.contenu)
    martin.apprenant.nom = "Martin-Durand"
    competence = db.session.scalar(
        sa.select(Competence).where(Competence.libelle_attestation.like("Je sais taper une phrase%"))
    )
    competence.libelle_attestation = "Je sais écrire une phrase au clavier"
    db.session.commit()
    db.session.expire_all()
    rechargee = db.session.get(Attestation, attestation.id)
    assert attestation_pdf.render(rechargee.contenu) == avant
    assert rechargee.contenu["apprenant"]["nom"] == "Martin"


def test_a_code_is_found_by_its_stored_form(atelier_clos, mediatrice):
    attestation = emettre(mediatrice, inscription_of(atelier_clos, "Martin"))
    assert services.par_code(codes.normaliser_code(attestation.code_affiche.lower())) == attestation
    assert services.par_code("ABCDEFGHJKMN") is None


def test_closing_day_used_for_the_year(atelier_clos, mediatrice):
    attestation = services.emettre(
        mediatrice,
        inscription_of(atelier_clos, "Martin"),
        today=date(2027, 1, 4),
        now=CLOTURE,
        base_url="https://ateliers.example.fr",
    )
    assert attestation.numero.split("-")[1] == "2027"
    assert attestation.contenu["url_verification"] == f"https://ateliers.example.fr/verifier/{attestation.code}"


def test_numbers_taken_at_once_by_two_processes_are_all_different(app, structure):
    """Two issuings at once (two threads, each with its own connection) never get the same number."""
    import threading

    pris: list[int] = []
    erreurs: list[BaseException] = []
    depart = threading.Barrier(2)

    def emettre_en_parallele() -> None:
        try:
            with app.app_context():
                depart.wait()
                for _ in range(15):
                    numero = services._sequence(structure.id, 2026)
                    db.session.commit()
                    pris.append(numero)
        except BaseException as error:  # reported by the test below, not lost in the thread
            erreurs.append(error)

    fils = [threading.Thread(target=emettre_en_parallele) for _ in range(2)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()
    assert erreurs == []
    assert sorted(pris) == list(range(1, 31))


def test_the_cli_prints_a_structures_attestations_of_a_period_in_one_pdf(
    app, atelier_clos, mediatrice, structure, tmp_path
):
    import io

    import pypdf

    martin = emettre(mediatrice, inscription_of(atelier_clos, "Martin"))
    emettre(mediatrice, inscription_of(atelier_clos, "Bernard"), presence_seule=True)
    services.revoquer(mediatrice, martin, "erreur", now=EMISSION)
    db.session.commit()
    emettre(mediatrice, inscription_of(atelier_clos, "Martin"))
    sortie = tmp_path / "reimpression.pdf"
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "attestations",
            "imprimer",
            "--structure",
            str(structure.id),
            "--du",
            "01/01/2026",
            "--au",
            "31/12/2026",
            "--sortie",
            str(sortie),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "2 pages écrites" in result.output
    lecteur = pypdf.PdfReader(io.BytesIO(sortie.read_bytes()))
    assert len(lecteur.pages) == 2  # the revoked one is not reprinted
    assert "-00002" in lecteur.pages[0].extract_text() and "-00003" in lecteur.pages[1].extract_text()
    vide = runner.invoke(
        args=[
            "attestations",
            "imprimer",
            "--structure",
            str(structure.id),
            "--du",
            "2025-01-01",
            "--au",
            "2025-12-31",
            "--sortie",
            str(tmp_path / "vide.pdf"),
        ]
    )
    assert vide.exit_code == 0 and "Aucune attestation" in vide.output and not (tmp_path / "vide.pdf").exists()
    mauvais = runner.invoke(
        args=[
            "attestations",
            "imprimer",
            "--structure",
            "999",
            "--du",
            "1/1/2026",
            "--au",
            "2/1/2026",
            "--sortie",
            "x.pdf",
        ]
    )
    assert mauvais.exit_code == 2 and "aucune structure" in mauvais.output


def test_the_cli_refuses_an_output_file_it_cannot_write_before_drawing_any_page(
    app, atelier_clos, mediatrice, structure, tmp_path, monkeypatch
):
    """A mistyped folder in --sortie is said at once, as a usage error, not as a traceback after the whole year
    was drawn (a network's reprint: minutes of work lost)."""
    from attestations import attestation_pdf

    emettre(mediatrice, inscription_of(atelier_clos, "Martin"))
    dessinees = []
    monkeypatch.setattr(attestation_pdf, "render_lot", lambda *args, **kwargs: dessinees.append(1) or b"%PDF")
    result = app.test_cli_runner().invoke(
        args=[
            "attestations",
            "imprimer",
            "--structure",
            str(structure.id),
            "--du",
            "01/01/2026",
            "--au",
            "31/12/2026",
            "--sortie",
            str(tmp_path / "dossier-absent" / "2026.pdf"),
        ]
    )
    assert result.exit_code == 2, result.output
    assert "--sortie" in result.output and "le dossier" in result.output
    assert dessinees == []


def signataire(structure, nom="Lucie Roy", fonction="Directrice du CCAS") -> None:
    db.session.add(
        ParametresAttestation(
            structure_id=structure.id, code_structure="CCAS-TEST", signataire_nom=nom, signataire_fonction=fonction
        )
    )
    db.session.commit()


def attestations_de(atelier) -> list[Attestation]:
    return list(
        db.session.scalars(
            sa.select(Attestation)
            .join(Attestation.inscription)
            .where(Attestation.inscription.has(atelier_id=atelier.id))
            .order_by(Attestation.id)
        )
    )


def test_closing_issues_the_attestations_of_those_who_finished(atelier_suivi, mediatrice, structure):
    signataire(structure)
    decisions = {i.id: ("termine", None) for i in atelier_suivi.inscriptions if i.statut == "inscrit"}
    avis = cloture.cloturer_atelier(mediatrice, atelier_suivi, decisions, APRES_LA_FIN, now=CLOTURE)
    db.session.commit()

    (attestation,) = attestations_de(atelier_suivi)  # Martin finished; Bernard left: on request only
    assert attestation.inscription.apprenant.nom == "Martin" and attestation.type == "parcours"
    assert attestation.emise_at == CLOTURE and attestation.emise_par_id == mediatrice.id
    assert attestation.contenu["emise_on"] == "2026-05-12"
    assert attestation.contenu["signataire"] == {"nom": "Lucie Roy", "fonction": "Directrice du CCAS"}
    assert ("success", "1 attestation émise.") in avis
    # The receiver run again (a second closing cannot happen: the workshop is locked) issues nothing more.
    assert services.a_la_cloture(atelier_suivi, now=CLOTURE, today=APRES_LA_FIN, auteur=mediatrice) == (
        "success",
        "0 attestation émise.",
    )
    assert len(attestations_de(atelier_suivi)) == 1


@pytest.mark.parametrize("fonction", [None, ""])
def test_closing_without_a_named_signatory_issues_none_and_says_what_to_fill_in(
    atelier_suivi, mediatrice, structure, fonction
):
    if fonction is not None:
        signataire(structure, fonction=fonction)  # a name without a function, saved before the form refused it
    decisions = {i.id: ("termine", None) for i in atelier_suivi.inscriptions if i.statut == "inscrit"}
    avis = cloture.cloturer_atelier(mediatrice, atelier_suivi, decisions, APRES_LA_FIN, now=CLOTURE)
    db.session.commit()

    assert attestations_de(atelier_suivi) == []
    assert ("info", services.AVIS_SIGNATAIRE) in avis
    assert services.avis_atelier(atelier_suivi) == services.AVIS_SIGNATAIRE
    services.emettre_atelier(mediatrice, atelier_suivi, today=APRES_LA_FIN, now=EMISSION, base_url=BASE_URL)
    db.session.commit()
    assert services.avis_atelier(atelier_suivi) is None  # everyone who finished has one now


def test_a_signatory_named_without_a_function_is_refused_beside_the_field(structure, make_compte):
    admin = make_compte("admin")
    data = services.Parametres(code_structure="CCAS-TEST", signataire_nom="Lucie Roy", signataire_fonction="")
    with pytest.raises(DomainError) as refus:
        services.enregistrer_parametres(admin, structure, data)
    assert refus.value.field == "signataire_fonction"


def test_a_code_another_structure_printed_in_its_numbers_stays_its_own(
    atelier_clos, mediatrice, structure, make_structure, make_compte
):
    """A structure that changed its code keeps the numbers it issued with the old one; another structure taking that
    code would draw the same numbers from its own counter, and the unique index would then refuse every attestation
    it issues (its closings with them)."""
    admin = make_compte("admin")
    signataire(structure)  # code CCAS-TEST
    premiere = emettre(mediatrice, inscription_of(atelier_clos, "Martin"))
    assert premiere.numero.startswith("CCAS-TEST-2026-")
    services.enregistrer_parametres(admin, structure, services.Parametres("CCAS-NEUF", "Lucie Roy", "Directrice"))
    db.session.commit()

    autre = make_structure(nom="France Services de Bias")
    admin_autre = make_compte("admin", structure=autre)
    with pytest.raises(DomainError, match="numéros d'attestations") as refus:
        services.enregistrer_parametres(admin_autre, autre, services.Parametres("CCAS-TEST", "Paul Roy", "Directeur"))
    assert refus.value.field == "code_structure"
    db.session.rollback()
    # A code that only starts the same way is free.
    services.enregistrer_parametres(admin_autre, autre, services.Parametres("CCAS", "Paul Roy", "Directeur"))


def test_the_default_code_of_another_structure_is_not_taken(structure, make_structure, make_compte):
    """``S<id>`` is what a structure's numbers carry until its admin sets a code: another structure taking it would
    share its numbers from the first attestation the former issues."""
    autre = make_structure(nom="France Services de Bias")
    admin = make_compte("admin", structure=autre)
    with pytest.raises(DomainError, match="réservé") as refus:
        services.enregistrer_parametres(admin, autre, services.Parametres(f"S{structure.id}", "Paul Roy", "Directeur"))
    assert refus.value.field == "code_structure"
    db.session.rollback()
    services.enregistrer_parametres(admin, autre, services.Parametres(f"S{autre.id}", "Paul Roy", "Directeur"))
