"""The demo's people: French first names and surnames, communes, fictional phone numbers, availability and plausible
placement answers, as plain rows (``demo`` and ``demo_historique`` both insert them). Demo data only.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from core.models import Structure
from core.text import fold, search_key
from core.timeutil import local_today, structure_zone
from evaluations.scoring import Resultat, score_positionnement

PRENOMS = [
    "Marie",
    "Jeanne",
    "Monique",
    "Françoise",
    "Michèle",
    "Nicole",
    "Christiane",
    "Josiane",
    "Yvette",
    "Odette",
    "Colette",
    "Ginette",
    "Simone",
    "Hélène",
    "Élodie",
    "Nathalie",
    "Sylvie",
    "Fatima",
    "Aïcha",
    "Khadija",
    "Leïla",
    "Maria",
    "Ana",
    "Chantal",
    "Danielle",
    "Bernadette",
    "Renée",
    "Jean",
    "Michel",
    "Pierre",
    "André",
    "Bernard",
    "Gérard",
    "Jacques",
    "Claude",
    "Daniel",
    "René",
    "Roger",
    "Marcel",
    "Alain",
    "Guy",
    "Mohamed",
    "Ahmed",
    "Rachid",
    "Karim",
    "José",
    "Antonio",
    "Joël",
    "Raymond",
    "Lucien",
    "Maurice",
    "Hervé",
    "François",
    "Thierry",
    "Patrice",
    "Loïc",
]
NOMS = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefebvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Sanchez",
    "Benamar",
    "Haddad",
    "Nguyen",
    "Kerbrat",
    "Marchand",
    "Duval",
    "Denis",
    "Lemoine",
    "Boyer",
    "Caron",
    "Da Silva",
    "Le Gall",
    "Le Goff",
    "N'Diaye",
]
COMMUNES = (("47300", "Saint-Aubin-sur-Loire"), ("47300", "Bias"), ("47110", "Sainte-Livrade"), ("47340", "Laroque"))
FICTION_PREFIXES = ("+33199", "+33261", "+33353", "+33465", "+33536")  # ARCEP ranges reserved for fiction
FICTION_SUFFIX = {"+33199": "00", "+33261": "91", "+33353": "01", "+33465": "71", "+33536": "49"}
TRANCHES = ("45_59", "60_74", "60_74", "75_plus", "26_44")
CANAUX = ("telephone", "telephone", "sms", "courrier", "email")


def phone(rng: random.Random) -> str:
    """A fictional French number in E.164, from the ARCEP ranges reserved for fiction (never a real person)."""
    prefix = rng.choice(FICTION_PREFIXES)
    return f"{prefix}{FICTION_SUFFIX[prefix]}{rng.randrange(10_000):04d}"


def availability(rng: random.Random) -> int:
    """A mask of one to four weekday half-days (``core.disponibilites`` bits 0-9)."""
    mask = 0
    for _ in range(rng.randint(1, 4)):
        mask |= 1 << rng.randrange(10)  # weekdays only for most people
    return mask


def placement(rng: random.Random, contenu: dict) -> tuple[dict, str, Resultat]:
    """Plausible answers to parts B and C, the mode, and the result they give."""
    skill = rng.random()
    answers = {
        code: min(2, max(0, round(skill * 2.6 + rng.uniform(-0.9, 0.6))))
        for code in ("B1", "B2", "B3", "B4", "B5", "B6", "B7", "C1", "C2", "C3", "C4")
    }
    mode = rng.choice(("telephone", "presentiel"))
    return answers, mode, score_positionnement(contenu, answers, mode)


def learner_rows(rng: random.Random, structure: Structure, count: int, now: datetime) -> list[dict]:
    """``count`` rows for a bulk insert of ``Apprenant`` in ``structure``, registered up to 300 days before
    ``now`` (naive UTC), with a fictional phone and the contact channel's address when it needs one."""
    zone = structure_zone(structure)
    rows = []
    for _ in range(count):
        prenom, nom = rng.choice(PRENOMS), rng.choice(NOMS)
        code_postal, commune = rng.choice(COMMUNES)
        canal = rng.choice(CANAUX)
        age = rng.randint(1, 300)
        created_at = now - timedelta(days=age)
        rows.append(
            {
                "structure_id": structure.id,
                "prenom": prenom,
                "nom": nom,
                "nom_recherche": search_key(nom, prenom),
                "telephone": phone(rng),
                "email": f"{fold(prenom)}.{fold(nom)}{rng.randrange(100)}@exemple.fr".replace(" ", "")
                if canal == "email"
                else None,
                "adresse": f"{rng.randint(1, 80)} rue des Tilleuls" if canal == "courrier" else None,
                "code_postal": code_postal,
                "commune": commune,
                "tranche_age": rng.choice(TRANCHES),
                "disponibilites": availability(rng),
                "canal_prefere": canal,
                "last_contact_on": local_today(created_at + timedelta(days=rng.randint(0, min(age, 30))), zone),
                "created_at": created_at,
                "updated_at": now,
            }
        )
    return rows
