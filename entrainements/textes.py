"""The words of the messages about practice sessions: convocation, reminder, cancellation. Pure: plain values in,
text out, no Flask, no database, no clock.

Written for people who may read poorly (issue 10, item 5): short sentences, the day and hour in words
("mardi 3 mars à 14 h 00"), the place, what to bring, the number to call. An SMS carries no personal data beyond
the first name, and aims at one segment (160 GSM-7 characters; é, è, à, ù are GSM-7, while ê, â, î, ô, û, ç force
a 70-character segment): its wording avoids them ("entrainement", as the 1990 spelling allows), the values put in
it are written in GSM-7 (:func:`sms`), and the longest wording that fits one segment is chosen (tested with a
long first name, a long place and the structure's number). Each function returns one :class:`Texte` for the
channel asked: the subject or letter title, and the plain-text body.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_date

from core.messagerie.gsm7 import en_gsm7, segments
from core.timeutil import heure_fr

# What to bring to a practice session (curriculum reference: the learner's own phone, their codes).
A_APPORTER = "votre téléphone et vos mots de passe"


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


@lru_cache(maxsize=1024)
def quand(debut: datetime) -> str:
    """``mardi 3 mars à 14 h 00``; ``vendredi 1er mai à 9 h 00`` (the year is left out: the session is near).
    Kept per moment: a sweep writes a structure's 200 convocations for some thirty sessions."""
    jour: date = debut.date()
    numero = "1er" if jour.day == 1 else str(jour.day)
    jour_semaine = format_date(jour, format="EEEE", locale="fr_FR")
    mois = format_date(jour, format="MMMM", locale="fr_FR")
    return f"{jour_semaine} {numero} {mois} à {heure_fr(debut)}"


def _rang(rang: int) -> str:
    return "1er" if rang == 1 else f"{rang}e"


def sms(*variantes: str) -> str:
    """The first of ``variantes`` (longest and plainest first) that fits in one SMS segment once written in the
    GSM-7 alphabet (``core.messagerie.gsm7.en_gsm7``: "ç" -> "c", "août" -> "aout"); the last, the shortest,
    when none fits (it then takes two segments)."""
    ecrites = [en_gsm7(" ".join(variante.split())) for variante in variantes]
    return next((texte for texte in ecrites if segments(texte).nombre == 1), ecrites[-1])


def _absent(seance: Seance) -> tuple[str, str, str]:
    """The SMS's last sentence, long to shortest: whom to call when one cannot come (nothing without a number)."""
    if not seance.telephone:
        return "", "", ""
    return (
        f"Si vous ne pouvez pas venir, appelez le {seance.telephone}.",
        f"Pas libre ? Appelez le {seance.telephone}.",  # "libre": the same word for a woman and a man
        f"Tél. {seance.telephone}",
    )


def convocation(seance: Seance, canal: str, rang: int, rappel_prevu: bool = True) -> Texte:
    """The convocation to a practice session, for ``canal`` ("sms", "email" or "courrier").

    :param rang: the entraînement's rank (1 first), said in the letter and email ("votre 2e entraînement").
    :param rappel_prevu: False when the session is less than 48 h away (no reminder will follow: the
        convocation does not announce one).
    """
    when = quand(seance.debut)
    if canal == "sms":
        long, court, numero = _absent(seance)
        corps = sms(
            f"Bonjour {seance.prenom}, entrainement sur ordinateur {when}, {seance.lieu}. {long}",
            f"{seance.prenom}, entrainement sur ordinateur {when}, {seance.lieu}. {court}",
            f"{seance.prenom}, entrainement {when}, {seance.lieu}. {court}",
            f"{seance.prenom}, entrainement {when}, {seance.lieu}. {numero}",
        )
        return Texte("Entraînement", corps)
    lignes = [
        f"Bonjour {seance.prenom},",
        "",
        f"C'est votre {_rang(rang)} entraînement sur ordinateur.",
        "Vous refaites ce que vous avez appris à l'atelier.",
        "",
        f"Quand : {when}.",
        f"Où : {seance.lieu}.",
        f"À apporter : {A_APPORTER}.",
        "",
    ]
    if rappel_prevu:
        lignes.append("Nous vous enverrons un rappel deux jours avant.")
    if seance.telephone:
        lignes.append(f"Vous ne pouvez pas venir ? Appelez le {seance.telephone}.")
    lignes += ["", seance.structure]
    return Texte(f"Entraînement {when}", "\n".join(lignes))


def rappel(seance: Seance, canal: str) -> Texte:
    """The reminder sent 48 h before a practice session."""
    when = quand(seance.debut)
    if canal == "sms":
        long, court, numero = _absent(seance)
        corps = sms(
            f"Rappel {seance.prenom} : entrainement sur ordinateur {when}, {seance.lieu}. {long}",
            f"Rappel {seance.prenom} : entrainement {when}, {seance.lieu}. {court}",
            f"Rappel {seance.prenom} : entrainement {when}, {seance.lieu}. {numero}",
        )
        return Texte("Rappel", corps)
    lignes = [
        f"Bonjour {seance.prenom},",
        "",
        "Rappel : entraînement sur ordinateur.",
        f"Quand : {when}.",
        f"Où : {seance.lieu}.",
        f"À apporter : {A_APPORTER}.",
    ]
    if seance.telephone:
        lignes += ["", f"Vous ne pouvez pas venir ? Appelez le {seance.telephone}."]
    lignes += ["", seance.structure]
    return Texte(f"Rappel : entraînement {when}", "\n".join(lignes))


def annulation(seance: Seance, canal: str) -> Texte:
    """The notice that a booked practice session is cancelled by the structure; a new date will follow."""
    when = quand(seance.debut)
    questions = f"Questions : {seance.telephone}." if seance.telephone else ""
    if canal == "sms":
        corps = sms(
            f"{seance.prenom}, l'entrainement du {when} est annulé. Nous vous enverrons une autre date. {questions}",
            f"{seance.prenom}, entrainement du {when} annulé. Une autre date suivra. {questions}",
        )
        return Texte("Annulation", corps)
    lignes = [
        f"Bonjour {seance.prenom},",
        "",
        f"Votre entraînement du {when} est annulé.",
        "Nous vous enverrons une autre date.",
    ]
    if seance.telephone:
        lignes += ["", f"Une question ? Appelez le {seance.telephone}."]
    lignes += ["", seance.structure]
    return Texte(f"Annulation : entraînement du {when}", "\n".join(lignes))
