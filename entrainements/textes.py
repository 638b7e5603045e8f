"""The words of the messages about practice sessions: convocation, reminder, cancellation. Pure: plain values in,
text out, no Flask, no database, no clock.

Written for people who may read poorly (issue 10, item 5): short sentences, the day and hour in words
("mardi 3 mars à 14 h 00"), the place, what to bring, the number to call. An SMS carries no personal data beyond
the first name, and aims at one segment (160 GSM-7 characters; é, è, à, ù are GSM-7, while ê, â, î, ô, û, ç force
a 70-character segment, so the SMS wording avoids them). Each function returns one :class:`Texte` for the
channel asked: the subject or letter title, and the plain-text body.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date

from core.timeutil import heure_fr

# What to bring to a practice session (curriculum reference: the learner's own phone, their codes).
A_APPORTER = "votre téléphone, vos identifiants et mots de passe si vous les avez notés"


@dataclass(frozen=True)
class Seance:
    """A practice session as the messages say it.

    :param prenom: the learner's first name (the only personal data an SMS carries).
    :param debut: start, the structure's local wall clock (naive).
    :param lieu: the place.
    :param structure: the structure's name; ``telephone``: its number as displayed (may be empty).
    """

    prenom: str
    debut: datetime
    lieu: str
    structure: str
    telephone: str


@dataclass(frozen=True)
class Texte:
    """A message's words for one channel: ``objet`` (email subject, letter title) and ``corps`` (plain text)."""

    objet: str
    corps: str


def quand(debut: datetime) -> str:
    """``mardi 3 mars à 14 h 00``; ``vendredi 1er mai à 9 h 00`` (the year is left out: the session is near)."""
    jour: date = debut.date()
    numero = "1er" if jour.day == 1 else str(jour.day)
    jour_semaine = format_date(jour, format="EEEE", locale="fr_FR")
    mois = format_date(jour, format="MMMM", locale="fr_FR")
    return f"{jour_semaine} {numero} {mois} à {heure_fr(debut)}"


def _appeler(seance: Seance) -> str:
    return f"Pour annuler ou changer, appelez le {seance.telephone}." if seance.telephone else ""


def convocation(seance: Seance, canal: str, rang: int, rappel_prevu: bool = True) -> Texte:
    """The convocation to a practice session, for ``canal`` ("sms", "email" or "courrier").

    :param rang: the entraînement's rank (1 first), said in the letter and email.
    :param rappel_prevu: False when the session is less than 48 h away (no reminder will follow: the
        convocation says it is soon).
    """
    when = quand(seance.debut)
    if canal == "sms":
        corps = f"Bonjour {seance.prenom}, entrainement informatique {when}, {seance.lieu}. {_appeler(seance)}"
        return Texte("Entraînement", corps.strip())
    lignes = [
        f"Bonjour {seance.prenom},",
        "",
        f"Nous vous attendons pour un entraînement sur ordinateur (n° {rang}),",
        "pour refaire ce que vous avez appris à l'atelier.",
        "",
        f"Quand : {when}.",
        f"Où : {seance.lieu}.",
        f"À apporter : {A_APPORTER}.",
        "",
    ]
    if rappel_prevu:
        lignes.append("Nous vous enverrons un rappel deux jours avant.")
    if seance.telephone:
        lignes.append(f"Si vous ne pouvez pas venir, appelez le {seance.telephone}.")
    lignes += ["", seance.structure]
    return Texte(f"Entraînement {when}", "\n".join(lignes))


def rappel(seance: Seance, canal: str) -> Texte:
    """The reminder sent 48 h before a practice session."""
    when = quand(seance.debut)
    if canal == "sms":
        corps = f"Rappel {seance.prenom} : entrainement informatique {when}, {seance.lieu}. {_appeler(seance)}"
        return Texte("Rappel", corps.strip())
    lignes = [
        f"Bonjour {seance.prenom},",
        "",
        f"Rappel : votre entraînement sur ordinateur a lieu {when}.",
        f"Où : {seance.lieu}.",
        f"À apporter : {A_APPORTER}.",
    ]
    if seance.telephone:
        lignes += ["", f"Si vous ne pouvez pas venir, appelez le {seance.telephone}."]
    lignes += ["", seance.structure]
    return Texte(f"Rappel : entraînement {when}", "\n".join(lignes))


def annulation(seance: Seance, canal: str) -> Texte:
    """The notice that a booked practice session is cancelled by the structure; a new date will follow."""
    when = quand(seance.debut)
    if canal == "sms":
        corps = (
            f"{seance.prenom}, l'entrainement du {when} est annule. "
            f"Nous vous donnons une autre date. {_appeler(seance)}"
        )
        return Texte("Annulation", corps.strip())
    lignes = [
        f"Bonjour {seance.prenom},",
        "",
        f"L'entraînement sur ordinateur du {when} est annulé.",
        "Nous vous enverrons une nouvelle date.",
    ]
    if seance.telephone:
        lignes += ["", f"Pour toute question, appelez le {seance.telephone}."]
    lignes += ["", seance.structure]
    return Texte(f"Annulation : entraînement du {when}", "\n".join(lignes))
