"""Walks every registered URL rule for every role and for an anonymous visitor.

Routes added later are covered automatically: a rule with a URL parameter this file does not know fails
the test until a row is added to ``PARAMETERS``.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.access import PUBLIC
from core.constants import ROLES
from evaluations.curriculum import current_questionnaire
from evaluations.models import Competence, Positionnement
from extensions import db
from tests.conftest import open_session

# Pages that answer a bare GET with a redirect, and why.
REDIRECTING_PAGES = {
    "auth.login": {302},  # already signed in: sent to the home page
    "comptes.code": {302},  # the sign-in's code step: already signed in, sent to the home page
    "groupes.proposition": {302},  # needs the workshops to fill (?atelier=...): sent back to the groups page
    "ateliers.suivi_alerte": {308},  # an old per-alert call link: sent on to the person's call, method kept
}

# URL parameter -> attribute of the World holding (id in own structure, id in the other structure).
PARAMETERS = {
    "apprenant_id": "apprenant",
    "atelier_id": "atelier",
    "numero": "numero",
    "compte_id": "compte",
    "positionnement_id": "positionnement",
    "alerte_id": "alerte",
    "inscription_id": "inscription",
    "rattrapage_id": "rattrapage",
    "fermeture_id": "fermeture",
    "message_id": "message",
    "creneau_id": "creneau",
    "occurrence_id": "occurrence",
    "entrainement_id": "entrainement",
    "reservation_id": "reservation",
    "attestation_id": "attestation",
    "code": "code_attestation",
    "empreinte": "empreinte",
    "plan_id": "plan",
    "competence_id": "competence",
    "structure_id": "structure",
    "graphique": "graphique",
}
# Pages that exist only for a particular value of a parameter: endpoint -> parameter -> (own, other structure).
PARAMETERS_OF = {
    "ateliers.evaluation_finale": {"numero": (6, 6)},  # a page per learner at the final evaluation only
    # the network's chart has no structure in its address (the account's network decides): the "other" side
    # is a chart that does not exist
    "pilotage_reseau.graphique": {"graphique": ("survie", "inconnu")},
}


# What a coordination account may reach, and why it shows no learner (DESIGN.md section 1: its network's
# aggregates, never a learner, a workshop's people, a phone or a name). A route opened to the role fails
# test_coordination_reaches_only_pages_without_identity until it is added here after that check.
COORDINATION_PAGES = {
    "main.index": "its network's structures: names, types, communes, counts of learners",
    "auth.logout": "signs out",
    # every role's own account pages (core/comptes_routes.py, EVERY_ROLE): the signed-in person's own details
    "comptes.mon_compte": "the account's own name, email and sign-in settings",
    "comptes.mot_de_passe": "changes the account's own password",
    "comptes.totp_activer": "turns on the account's own second factor",
    "comptes.totp_retirer": "turns off the account's own second factor",
    "pilotage_reseau.index": "the dashboard's key figures per structure and for the network, its tables and charts: "
    "counts, rates and durations, no list of people (pilotage/reseau.py never reads the people at risk)",
    "pilotage_reseau.graphique": "a chart of the network's figures: an SVG of counts and rates",
    "pilotage_reseau.export": "the network page's tables as a file (CSV by default): counts, rates and structure "
    "names (pilotage.reseau.tableaux)",
    "pilotage_reseau.rapport": "the network's annual report (PDF, its text read here): the page's sections in "
    "sentences, and each section's key figures per structure",
}


class World:
    def __init__(self, make_structure, make_compte, make_apprenant):
        other = make_structure(nom="France Services de l'Autre-Rive")
        self.comptes = {role: make_compte(role) for role in ROLES}
        # Both structures in one network headed by the accounts' structure: the coordination account sees a
        # network whose members have learners, and must still reach none of them.
        from core.models import Reseau, Structure

        reseau = Reseau(nom="Réseau de test")
        db.session.add(reseau)
        db.session.flush()
        own = db.session.get(Structure, self.comptes["coordination"].structure_id)
        own.reseau_id, own.is_tete_reseau, other.reseau_id = reseau.id, True, reseau.id
        db.session.commit()
        self.apprenant = (make_apprenant().id, make_apprenant(structure=other).id)
        self.compte = (self.comptes["benevole"].id, make_compte("mediateur", structure=other).id)
        self.structure = (self.comptes["admin"].structure_id, other.id)
        self.graphique = ("survie", "survie")  # a dashboard chart: the structure in its address decides
        self.positionnement = tuple(_draft_placement(apprenant_id) for apprenant_id in self.apprenant)
        self.atelier = tuple(
            _planned_atelier(structure_id, apprenant_id, animateur)
            for structure_id, apprenant_id, animateur in (
                (self.comptes["benevole"].structure_id, self.apprenant[0], self.comptes["benevole"]),
                (other.id, self.apprenant[1], None),
            )
        )
        self.numero = (1, 1)  # a séance number, within the workshop above
        self.alerte = tuple(_alerte(atelier_id) for atelier_id in self.atelier)
        self.inscription = tuple(_inscription(atelier_id) for atelier_id in self.atelier)
        self.rattrapage = tuple(_rattrapage(inscription_id) for inscription_id in self.inscription)
        self.fermeture = (_fermeture(self.comptes["admin"].structure_id), _fermeture(other.id))
        self.message = tuple(_message(apprenant_id) for apprenant_id in self.apprenant)
        pratique = [_pratique(inscription_id) for inscription_id in self.inscription]
        self.creneau, self.occurrence, self.entrainement, self.reservation = (
            tuple(ids) for ids in zip(*pratique, strict=True)
        )
        attestations = tuple(_attestation(inscription_id) for inscription_id in self.inscription)
        self.attestation = tuple(a.id for a in attestations)
        self.code_attestation = tuple(a.code for a in attestations)
        self.empreinte = (_logo(self.comptes["admin"].structure_id, "navy"), _logo(other.id, "red"))
        # The volunteer runs the own structure's slot: the practice attendance page and sheet open for them.
        from entrainements.models import Creneau, Entrainement

        db.session.get(Creneau, self.creneau[0]).animateur_id = self.comptes["benevole"].id
        self.plan = tuple(db.session.get(Entrainement, ident).plan_id for ident in self.entrainement)
        # The curriculum is shared by every structure: the other side is a skill that does not exist.
        self.competence = (db.session.scalar(sa.select(Competence.id).limit(1)), 2**31 - 1)
        db.session.commit()


def _message(apprenant_id: int) -> int:
    """An SMS convocation in the outbox of the learner's structure, with a file attached."""
    from datetime import datetime

    from core.messagerie.depot import deposer
    from core.messagerie.transports import Piece
    from core.models import Apprenant

    now = datetime(2026, 6, 1, 8)
    message = deposer(
        db.session.get(Apprenant, apprenant_id),
        cle=f"convocation:essai-{apprenant_id}",
        type="convocation",
        canal="sms",
        objet="Entraînement",
        corps="Bonjour",
        valable_jusqu_a=None,
        now=now,
        pieces_jointes=[Piece("essai.pdf", "application/pdf", b"%PDF-1.4")],
    )
    db.session.commit()
    return message.id


def _draft_placement(apprenant_id: int) -> int:
    draft = Positionnement(apprenant_id=apprenant_id, questionnaire=current_questionnaire(), mode="telephone")
    db.session.add(draft)
    db.session.commit()
    return draft.id


def _alerte(atelier_id: int) -> int:
    """An open dropout alert on the workshop's first inscription."""
    import sqlalchemy as sa

    from ateliers.models import Alerte, Inscription

    inscription_id = db.session.scalar(sa.select(Inscription.id).where(Inscription.atelier_id == atelier_id))
    alerte = Alerte(
        inscription_id=inscription_id, regle="absence_debut", niveau_risque="risque", seance_numero=1, message="-"
    )
    db.session.add(alerte)
    db.session.commit()
    return alerte.id


def _inscription(atelier_id: int) -> int:
    """The workshop's first inscription."""
    import sqlalchemy as sa

    from ateliers.models import Inscription

    return db.session.scalar(sa.select(Inscription.id).where(Inscription.atelier_id == atelier_id))


def _rattrapage(inscription_id: int) -> int:
    """A planned (not done) catch-up of the module of séance 1 for the inscription."""
    from datetime import datetime

    import sqlalchemy as sa

    from ateliers.models import Inscription, Rattrapage, Seance

    seance = db.session.scalar(
        sa.select(Seance)
        .join(Inscription, Inscription.atelier_id == Seance.atelier_id)
        .where(Inscription.id == inscription_id, Seance.numero == 1)
    )
    rattrapage = Rattrapage(
        inscription_id=inscription_id,
        module_id=seance.module_id,
        seance_id=seance.id,
        prevu_at=datetime(2026, 6, 3, 12),
    )
    db.session.add(rattrapage)
    db.session.commit()
    return rattrapage.id


def _fermeture(structure_id: int) -> int:
    """A closure day of the structure, after the workshops above."""
    from datetime import date

    from ateliers.models import Fermeture

    fermeture = Fermeture(structure_id=structure_id, debut_on=date(2026, 8, 14), fin_on=date(2026, 8, 14))
    db.session.add(fermeture)
    db.session.commit()
    return fermeture.id


def _pratique(inscription_id: int) -> tuple[int, int, int, int]:
    """A practice slot of the inscription's structure, one occurrence of it in 2030, and the learner's plan with
    one entraînement booked there: (slot, occurrence, entraînement, booking) ids."""
    from datetime import date, datetime, time

    from ateliers.models import Inscription
    from entrainements.models import Creneau, Entrainement, Occurrence, PlanEntrainement, Reservation

    inscription = db.session.get(Inscription, inscription_id)
    structure_id, apprenant_id = inscription.atelier.structure_id, inscription.apprenant_id
    creneau = Creneau(structure_id=structure_id, jour_semaine=1, debut=time(14), fin=time(16), capacite=2, lieu="Salle")
    plan = PlanEntrainement(
        structure_id=structure_id,
        inscription_id=inscription_id,
        apprenant_id=apprenant_id,
        fin_atelier_on=date(2030, 1, 1),
    )
    db.session.add_all([creneau, plan])
    db.session.flush()
    jour = date(2030, 1, 8)
    occurrence = Occurrence(
        creneau_id=creneau.id,
        structure_id=structure_id,
        jour=jour,
        starts_at=datetime(2030, 1, 8, 13),
        ends_at=datetime(2030, 1, 8, 15),
        capacite=2,
        places_prises=1,
    )
    entrainement = Entrainement(
        plan_id=plan.id,
        structure_id=structure_id,
        apprenant_id=apprenant_id,
        rang=1,
        cible_on=jour,
        debut_on=jour,
        fin_on=jour,
        statut="reserve",
    )
    db.session.add_all([occurrence, entrainement])
    db.session.flush()
    reservation = Reservation(
        entrainement_id=entrainement.id, occurrence_id=occurrence.id, apprenant_id=apprenant_id, jour=jour
    )
    db.session.add(reservation)
    db.session.commit()
    return creneau.id, occurrence.id, entrainement.id, reservation.id


def _attestation(inscription_id: int):
    """An attestation of the inscription (its workshop is not closed: a row as a test gives it)."""
    from ateliers.models import Inscription
    from attestations import codes
    from attestations.models import Attestation
    from tests.unit.test_attestation_pdf import snapshot

    inscription = db.session.get(Inscription, inscription_id)
    code = codes.nouveau_code()
    attestation = Attestation(
        structure_id=inscription.atelier.structure_id,
        inscription_id=inscription_id,
        type="parcours",
        numero=f"S{inscription.atelier.structure_id}-2026-{inscription_id:05d}",
        code=code,
        contenu=snapshot(code=codes.code_groupe(code)),
    )
    db.session.add(attestation)
    db.session.commit()
    return attestation


def _logo(structure_id: int, couleur: str) -> str:
    """The structure's attestation settings with a logo; the logo's hash."""
    from attestations.images import empreinte
    from attestations.models import ImageAttestation, ParametresAttestation
    from tests.unit.test_attestation_images import image

    contenu = image("PNG", couleur=couleur)
    db.session.add(ImageAttestation(empreinte=empreinte(contenu), type="image/png", contenu=contenu))
    db.session.add(
        ParametresAttestation(
            structure_id=structure_id, code_structure=f"S{structure_id}", logo_empreinte=empreinte(contenu)
        )
    )
    db.session.commit()
    return empreinte(contenu)


def _planned_atelier(structure_id: int, apprenant_id: int, animateur) -> int:
    """A workshop planned six Mondays from 1 June 2026, with ``animateur`` (a volunteer) on every séance."""
    from datetime import datetime, timedelta

    from ateliers.models import Atelier, Inscription, Seance
    from evaluations.curriculum import current_curriculum_version, modules_of_version

    atelier = Atelier(structure_id=structure_id, intitule="Atelier du lundi", demi_journee=0, statut="planifie")
    atelier.inscriptions.append(Inscription(apprenant_id=apprenant_id, joined_at=datetime(2026, 5, 1, 8)))
    atelier.places_prises = 1
    for module in modules_of_version(current_curriculum_version()):
        start = datetime(2026, 6, 1, 7) + timedelta(weeks=module.numero - 1)
        seance = Seance(numero=module.numero, module_id=module.id, starts_at=start, ends_at=start + timedelta(hours=3))
        seance.animateurs = [animateur] if animateur else []
        atelier.seances.append(seance)
    db.session.add(atelier)
    db.session.commit()
    return atelier.id


@pytest.fixture
def world(make_structure, make_compte, make_apprenant):
    return World(make_structure, make_compte, make_apprenant)


@pytest.fixture
def matrix_app(make_app):
    # Authorisation only: CSRF is tested on its own in test_security.py.
    return make_app(WTF_CSRF_ENABLED=False)


def rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def build(rule, world, which: int) -> str:
    values = {}
    for argument in rule.arguments:
        assert argument in PARAMETERS, f"add URL parameter {argument!r} of {rule.rule} to PARAMETERS"
        values[argument] = getattr(world, PARAMETERS[argument])[which]
        if argument in PARAMETERS_OF.get(rule.endpoint, {}):
            values[argument] = PARAMETERS_OF[rule.endpoint][argument][which]
    return rule.build(values)[1]


def signed_in_client(app, compte):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = open_session(compte)
        session["_fresh"] = True
    return client


def methods(rule):
    return sorted(rule.methods & {"GET", "POST"})


def test_every_view_declares_its_roles(matrix_app):
    with matrix_app.test_request_context():
        undeclared = [
            rule.endpoint
            for rule in rules(matrix_app)
            if getattr(matrix_app.view_functions[rule.endpoint], "allowed_roles", None) is None
        ]
    assert undeclared == []


def test_anonymous_visitor_is_sent_to_login_except_on_public_pages(matrix_app, world):
    client = matrix_app.test_client()
    for rule in rules(matrix_app):
        allowed = matrix_app.view_functions[rule.endpoint].allowed_roles
        for method in methods(rule):
            response = client.open(build(rule, world, 0), method=method)
            if allowed == PUBLIC:
                assert response.status_code in (200, 302, 400), (rule.rule, method, response.status_code)
                assert "/connexion?next" not in response.headers.get("Location", "")
            else:
                assert response.status_code == 302, (rule.rule, method)
                assert response.headers["Location"].startswith("/connexion"), (rule.rule, method)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_role_gets_its_pages_and_nothing_else(matrix_app, world, role):
    compte = world.comptes[role]
    checked = 0
    for rule in rules(matrix_app):
        allowed = matrix_app.view_functions[rule.endpoint].allowed_roles
        for method in methods(rule):
            client = signed_in_client(matrix_app, compte)
            own = client.open(build(rule, world, 0), method=method)
            if allowed != PUBLIC and role not in allowed:
                assert own.status_code == 403, (role, rule.rule, method, own.status_code)
                assert "Accès refusé" in own.get_data(as_text=True)
                continue
            # 409: an empty post lacks the page's version (core.versions) and gets the page back with what is stored
            expected = {200} if method == "GET" else {200, 302, 409}
            expected = REDIRECTING_PAGES.get(rule.endpoint, expected)
            assert own.status_code in expected, (role, rule.rule, method, own.status_code)
            if rule.arguments and allowed != PUBLIC:
                # the same page for a record of another structure: not found, never shown (a public page, the
                # attestation check, shows any structure's record on purpose)
                other = signed_in_client(matrix_app, compte).open(build(rule, world, 1), method=method)
                assert other.status_code == 404, (role, rule.rule, method, other.status_code)
                assert "Page introuvable" in other.get_data(as_text=True)
            checked += 1
    assert checked > 0


def _readable(response) -> str:
    """A response's text: a PDF's extracted, any other as sent (a CSV download is text too)."""
    if response.mimetype == "application/pdf":
        import io

        import pypdf

        return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.get_data())).pages)
    return response.get_data(as_text=True)


def test_coordination_reaches_only_pages_without_identity(matrix_app, world):
    """Every URL rule, present and future: the coordination role reaches only the pages listed in
    ``COORDINATION_PAGES`` (default deny), and none of them shows a learner's name or phone number, of its own
    structure or of another member of its network."""
    from core.models import Apprenant

    learners = db.session.scalars(sa.select(Apprenant)).all()
    identities = [text for a in learners for text in (a.nom, a.telephone, a.telephone.removeprefix("+33"))]
    compte = world.comptes["coordination"]
    reached = set()
    for rule in rules(matrix_app):
        allowed = matrix_app.view_functions[rule.endpoint].allowed_roles
        if allowed == PUBLIC or "coordination" not in allowed:
            continue
        reached.add(rule.endpoint)
        if "GET" in rule.methods:
            for which in (0, 1) if rule.arguments else (0,):
                page = _readable(signed_in_client(matrix_app, compte).get(build(rule, world, which)))
                shown = [text for text in identities if text in page]
                assert shown == [], (rule.rule, shown)
    assert reached == set(COORDINATION_PAGES), "list the new page in COORDINATION_PAGES once it shows no one"
    home = signed_in_client(matrix_app, compte).get("/").get_data(as_text=True)
    assert "Réseau de test" in home and "Autre-Rive" in home
