"""The dashboard of a set of structures over a period: the SQL aggregates of ``pilotage.queries`` turned by
the pure indicators into key figures (:class:`Chiffre`) and :class:`~pilotage.tableaux.Tableau`s, section by
section, each with its charts' descriptions (:class:`Graphique`).

The page, its charts and the exports all read the same sections: :func:`tableaux` lists every table (key
figures included) for an export or the annual report.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from ateliers.constants import RESULTATS_SUIVI, STATUTS_PRESENCE, SUITES_SUIVI
from ateliers.dropout import REGLES
from attestations.constants import TYPES_ATTESTATION
from core.constants import MOTIFS_SORTIE
from core.francais import nombre
from entrainements.constants import STATUTS_RESERVATION
from evaluations.constants import MODES_POSITIONNEMENT, NIVEAUX, RESULTATS_COMPETENCE
from pilotage import indicateurs, queries
from pilotage.indicateurs import Comptage, Part, taux
from pilotage.periode import Periode
from pilotage.tableaux import Cellule, Tableau

COLONNES_CHIFFRES = ("Indicateur", "Nombre", "Part", "Définition")


def pourcent(part: float | None) -> str:
    """``0.425`` -> ``"43 %"`` (French spacing, non-breaking); ``None`` -> ``"aucune donnée"``."""
    return "aucune donnée" if part is None else f"{round(part * 100)}\u202f%"


def decimal_fr(valeur: float | None, chiffres: int = 1) -> str:
    """``12.5`` -> ``"12,5"``; a whole number without decimals; ``None`` -> ``"aucune donnée"``."""
    if valeur is None:
        return "aucune donnée"
    if float(valeur).is_integer():
        return f"{int(valeur):,}".replace(",", "\u202f")
    return f"{valeur:,.{chiffres}f}".replace(",", "\u202f").replace(".", ",")


@dataclass(frozen=True)
class Chiffre:
    """A key figure: its count (or value, ``unite`` saying what it counts), and when it has one its rate
    (``a_une_part``; ``part`` None then means nothing to divide by)."""

    libelle: str
    valeur: float | int | None
    definition: str
    part: float | None = None
    a_une_part: bool = False
    unite: str = ""


@dataclass(frozen=True)
class Graphique:
    """A chart drawn from the table ``nom`` of its section: its label column and value column (a rate when
    ``en_pourcentage``), its kind (``barres`` or ``courbe``) and its summary in one French sentence."""

    nom: str
    titre: str
    type: str
    colonne_valeur: int
    resume: str
    en_pourcentage: bool = False


@dataclass(frozen=True)
class Section:
    cle: str
    titre: str
    chiffres: tuple[Chiffre, ...]
    tableaux: tuple[Tableau, ...]
    graphiques: tuple[Graphique, ...] = ()

    def tableau_des_chiffres(self) -> Tableau:
        """The key figures as a table (for exports and the report): indicator, count, rate, definition."""
        lignes: list[Sequence[Cellule]] = [
            (f"{c.libelle} ({c.unite})" if c.unite else c.libelle, c.valeur, c.part, c.definition)
            for c in self.chiffres
        ]
        return Tableau.de(
            f"chiffres_{self.cle}", f"{self.titre} : chiffres clés", COLONNES_CHIFFRES, lignes, pourcentages=(2,)
        )

    def tableau(self, nom: str) -> Tableau:
        """:raise KeyError: no table of that name in the section."""
        for tableau in self.tableaux:
            if tableau.nom == nom:
                return tableau
        raise KeyError(nom)

    def graphique(self, nom: str) -> Graphique:
        """:raise KeyError: no chart of that name in the section."""
        for graphique in self.graphiques:
            if graphique.nom == nom:
                return graphique
        raise KeyError(nom)


@dataclass(frozen=True)
class Contexte:
    """What every section reads: the structures, the period, the moment (naive UTC), the structures' local
    day, and their time zones (looked up once)."""

    structure_ids: tuple[int, ...]
    periode: Periode
    now: datetime
    today: date
    zones: Mapping[int, str]
    # Rows two sections read (placements, learners started), fetched once per context.
    deja_lus: dict = field(default_factory=dict, compare=False, repr=False)

    def une_fois(self, cle: str, lire: Callable[[], list]) -> list:
        if cle not in self.deja_lus:
            self.deja_lus[cle] = lire()
        return self.deja_lus[cle]

    def positionnements(self) -> list:
        return self.une_fois(
            "positionnements", lambda: queries.positionnements(self.structure_ids, self.periode, self.zones)
        )

    def parcours_commences(self) -> list:
        return self.une_fois(
            "parcours", lambda: queries.parcours_commences(self.structure_ids, self.periode, self.zones)
        )


def _parts(parts: Sequence[Part], libelles: Mapping) -> list[tuple]:
    """Breakdown lines as table rows: the code's French label, the count, the share."""
    return [(libelles.get(p.cle, str(p.cle)), p.nombre, p.part) for p in parts]


def section_attente(ctx: Contexte) -> Section:
    delais = indicateurs.delais_attente(
        queries.delais_attente(ctx.structure_ids, ctx.periode, ctx.now, ctx.zones), ctx.today
    )
    orientes = sum(ligne.nombre for ligne in ctx.positionnements() if ligne.niveau == 3)
    chiffres = (
        Chiffre(
            "Personnes en attente aujourd'hui",
            queries.en_attente(ctx.structure_ids),
            "Personnes inscrites sur la liste d'attente (en attente ou à qui une place est proposée) ce jour, "
            "quelle que soit la période choisie.",
        ),
        Chiffre(
            "Personnes entrées en atelier",
            delais.personnes,
            "Personnes dont la première séance d'atelier a eu lieu pendant la période.",
        ),
        Chiffre(
            "Attente médiane avant la première séance",
            delais.mediane_jours,
            "Pour ces personnes, la moitié a attendu au plus ce nombre de jours entre l'entrée sur la liste "
            "d'attente (à défaut, l'enregistrement) et la première séance.",
            unite="jours",
        ),
        Chiffre(
            "Attente de 9 personnes sur 10 au plus",
            delais.centile_90_jours,
            "90e centile : le nombre de jours d'attente que 9 personnes sur 10 n'ont pas dépassé.",
            unite="jours",
        ),
        Chiffre(
            "Personnes orientées ailleurs",
            orientes,
            "Questionnaires de positionnement terminés pendant la période avec le niveau 3 (intermédiaire) : "
            "la personne est orientée vers un autre atelier plutôt que mise sur la liste d'attente.",
        ),
    )
    return Section("attente", "Attente", chiffres, ())


def section_positionnement(ctx: Contexte) -> Section:
    lignes = ctx.positionnements()
    par_mode = indicateurs.repartition(
        (Comptage(ligne.mode, ligne.nombre) for ligne in lignes), tuple(MODES_POSITIONNEMENT)
    )
    par_niveau = indicateurs.repartition((Comptage(ligne.niveau, ligne.nombre) for ligne in lignes), tuple(NIVEAUX))
    total = sum(p.nombre for p in par_mode)
    niveaux = Tableau.de(
        "niveaux",
        "Niveaux des personnes positionnées",
        ("Niveau", "Questionnaires", "Part"),
        [(f"{p.cle} – {NIVEAUX.get(p.cle, p.cle)}", p.nombre, p.part) for p in par_niveau],
        "Questionnaires de positionnement terminés pendant la période (brouillons exclus), par niveau obtenu.",
        pourcentages=(2,),
    )
    modes = Tableau.de(
        "positionnements_par_mode",
        "Questionnaires par mode",
        ("Mode", "Questionnaires", "Part"),
        _parts(par_mode, MODES_POSITIONNEMENT),
        "Questionnaires de positionnement terminés pendant la période, par téléphone ou en présentiel.",
        pourcentages=(2,),
    )
    frequent = max(par_niveau, key=lambda p: p.nombre) if total else None
    resume = (
        f"Sur {nombre(total, 'questionnaire terminé', 'questionnaires terminés')}, le niveau le plus fréquent est "
        f"« {NIVEAUX.get(frequent.cle)} » ({pourcent(frequent.part)})."
        if frequent
        else "Aucun questionnaire de positionnement terminé pendant la période."
    )
    chiffres = (
        Chiffre(
            "Questionnaires terminés",
            total,
            "Questionnaires de positionnement terminés pendant la période, brouillons exclus.",
        ),
    )
    return Section(
        "positionnement",
        "Positionnement",
        chiffres,
        (modes, niveaux),
        (Graphique("niveaux", niveaux.titre, "barres", 1, resume),),
    )


def section_ateliers(ctx: Contexte) -> Section:
    places = queries.places(ctx.structure_ids, ctx.periode, ctx.now, ctx.zones)
    commences = sum(ligne.nombre for ligne in ctx.parcours_commences())
    chiffres = (
        Chiffre(
            "Ateliers menés",
            queries.ateliers_menes(ctx.structure_ids, ctx.periode, ctx.now, ctx.zones),
            "Ateliers (hors annulés) dont au moins une séance a eu lieu pendant la période.",
        ),
        Chiffre(
            "Ateliers commencés",
            places.ateliers,
            "Ateliers (hors annulés) dont la première séance a eu lieu pendant la période.",
        ),
        Chiffre(
            "Places offertes",
            places.offertes,
            "Somme des capacités des ateliers commencés pendant la période.",
        ),
        Chiffre(
            "Places prises (taux de remplissage)",
            places.prises,
            "Personnes inscrites à la première séance des ateliers commencés pendant la période ; la part est "
            "rapportée aux places offertes.",
            places.remplissage,
            True,
        ),
        Chiffre(
            "Apprenants ayant commencé",
            commences,
            "Inscriptions dont la première séance suivie (présent ou en retard) a eu lieu pendant la période.",
        ),
    )
    return Section("ateliers", "Ateliers", chiffres, ())


def section_assiduite(ctx: Contexte) -> Section:
    lignes = queries.presences(ctx.structure_ids, ctx.periode, ctx.now, ctx.zones)
    resultat = indicateurs.assiduite(
        lignes, queries.minutes_animateurs(ctx.structure_ids, ctx.periode, ctx.now, ctx.zones)
    )
    par_statut = indicateurs.repartition(
        (Comptage(ligne.statut, ligne.nombre) for ligne in lignes), tuple(STATUTS_PRESENCE)
    )
    presents = sum(p.nombre for p in par_statut if p.cle in indicateurs.PRESENT)
    chiffres = (
        Chiffre(
            "Présences (taux d'assiduité)",
            presents,
            "Présences notées aux séances tenues pendant la période, en retard comprises ; la part est rapportée "
            "à toutes les présences et absences notées.",
            resultat.taux,
            True,
        ),
        Chiffre(
            "Arrivées en retard",
            resultat.retards,
            "Présences notées « en retard » aux séances tenues pendant la période.",
            taux(resultat.retards, resultat.presences_notees),
            True,
        ),
        Chiffre(
            "Heures apprenants",
            resultat.heures_apprenants,
            "Somme des durées de présence notées (présents et en retard) aux séances tenues pendant la période.",
            unite="h",
        ),
        Chiffre(
            "Heures animateurs",
            resultat.heures_animateurs,
            "Durée de chaque séance tenue pendant la période, comptée une fois par personne qui la co-anime.",
            unite="h",
        ),
    )
    tableau = Tableau.de(
        "presences_par_statut",
        "Présences par statut",
        ("Statut", "Présences notées", "Part"),
        _parts(par_statut, STATUTS_PRESENCE),
        "Présences et absences notées aux séances tenues pendant la période.",
        pourcentages=(2,),
    )
    return Section("assiduite", "Assiduité", chiffres, (tableau,))


def section_abandons(ctx: Contexte) -> Section:
    resultat = indicateurs.abandons(ctx.parcours_commences(), tuple(MOTIFS_SORTIE))
    alertes = indicateurs.repartition(
        queries.alertes_par_regle(ctx.structure_ids, ctx.periode, ctx.zones), tuple(REGLES)
    )
    appels = queries.appels(ctx.structure_ids, ctx.periode)
    par_resultat = indicateurs.repartition((Comptage(a.resultat, a.nombre) for a in appels), tuple(RESULTATS_SUIVI))
    par_suite = indicateurs.repartition((Comptage(a.suite, a.nombre) for a in appels), tuple(SUITES_SUIVI))
    retour = queries.retour_apres_appel(ctx.structure_ids, ctx.periode)
    total_appels = sum(p.nombre for p in par_resultat)
    chiffres = (
        Chiffre(
            "Abandons (taux d'abandon)",
            resultat.abandons,
            "Parmi les personnes dont la première séance suivie a eu lieu pendant la période, celles dont "
            "l'inscription s'est close par un abandon à ce jour.",
            resultat.taux,
            True,
        ),
        Chiffre(
            "Appels de suivi",
            total_appels,
            "Appels de suivi enregistrés pour un jour de la période, quel qu'en soit le résultat.",
        ),
        Chiffre(
            "Revenues après un appel",
            retour.revenus,
            "Parmi les personnes appelées pendant la période après une alerte de leur atelier, alors qu'une séance "
            "restait à venir, celles présentes (ou en retard) à une séance suivante.",
            retour.part,
            True,
        ),
    )
    motifs = Tableau.de(
        "abandons_par_motif",
        "Abandons par motif",
        ("Motif", "Abandons", "Part"),
        _parts(resultat.par_motif, MOTIFS_SORTIE),
        "Abandons des personnes ayant commencé pendant la période, par motif de sortie.",
        pourcentages=(2,),
    )
    survie = Tableau.de(
        "survie",
        "Personnes encore inscrites, séance par séance",
        ("Séance", "Part encore inscrite"),
        [(f"Séance {k}", part) for k, part in resultat.survie],
        "À chaque séance, part des personnes ayant commencé pendant la période qui n'avaient pas abandonné après "
        "une séance précédente (la dernière séance suivie d'une personne partie marque son départ).",
        pourcentages=(1,),
    )
    tableau_alertes = Tableau.de(
        "alertes_par_regle",
        "Alertes levées par règle",
        ("Règle", "Alertes", "Part"),
        _parts(alertes, REGLES),
        "Alertes de décrochage levées pendant la période, hors historique saisi après coup depuis le papier.",
        pourcentages=(2,),
    )
    tableau_resultats = Tableau.de(
        "appels_par_resultat",
        "Appels par résultat",
        ("Résultat", "Appels", "Part"),
        _parts(par_resultat, RESULTATS_SUIVI),
        "Appels de suivi enregistrés pour un jour de la période, par résultat de l'appel.",
        pourcentages=(2,),
    )
    tableau_suites = Tableau.de(
        "appels_par_suite",
        "Suites données aux appels",
        ("Suite", "Appels", "Part"),
        _parts(par_suite, SUITES_SUIVI),
        "Appels de suivi enregistrés pour un jour de la période, par suite décidée.",
        pourcentages=(2,),
    )
    derniere = resultat.survie[-1][1]
    resume_survie = (
        f"Sur {nombre(resultat.commences, 'personne qui a commencé', 'personnes qui ont commencé')}, "
        f"{pourcent(derniere)} étaient encore inscrites à la séance 6."
        if resultat.commences
        else "Aucune personne n'a commencé d'atelier pendant la période."
    )
    principal = max(resultat.par_motif, key=lambda p: p.nombre) if resultat.abandons else None
    resume_motifs = (
        f"{nombre(resultat.abandons, 'abandon')} ; motif le plus fréquent : "
        f"« {MOTIFS_SORTIE.get(principal.cle, principal.cle)} » ({nombre(principal.nombre, 'abandon')})."
        if principal
        else "Aucun abandon parmi les personnes ayant commencé pendant la période."
    )
    return Section(
        "abandons",
        "Abandons et suivi",
        chiffres,
        (survie, motifs, tableau_alertes, tableau_resultats, tableau_suites),
        (
            Graphique("survie", survie.titre, "courbe", 1, resume_survie, en_pourcentage=True),
            Graphique("abandons_par_motif", motifs.titre, "barres", 1, resume_motifs),
        ),
    )


def section_competences(ctx: Contexte) -> Section:
    lignes = queries.acquis_evaluation_finale(ctx.structure_ids, ctx.periode, ctx.now, ctx.zones)
    modules = indicateurs.acquis_par_module(lignes)
    par_module = Tableau.de(
        "acquis_par_module",
        "Compétences acquises par module",
        ("Module", "Jugements", "Acquis", "Part acquise"),
        [(f"M{m.numero} – {m.titre}", m.evalues, m.acquis, m.part) for m in modules],
        "À l'évaluation finale (séance 6) tenue pendant la période, part des compétences du module jugées "
        "« acquis » (fait seul) parmi celles jugées, pour les personnes inscrites à cette séance.",
        pourcentages=(3,),
    )
    par_competence = Tableau.de(
        "acquis_par_competence",
        "Compétences acquises, une par une",
        ("Compétence", "Personnes jugées", "Acquis", "Part acquise"),
        [
            (
                f"M{ligne.module_numero}.{ligne.competence_numero} {ligne.libelle}",
                ligne.evalues,
                ligne.acquis,
                taux(ligne.acquis, ligne.evalues),
            )
            for ligne in lignes
        ],
        "À l'évaluation finale tenue pendant la période, pour chaque compétence, part des personnes jugées qui "
        "la font seules.",
        pourcentages=(3,),
    )
    evalues = [m for m in modules if m.part is not None]
    if evalues:
        haut = max(evalues, key=lambda m: m.part)
        bas = min(evalues, key=lambda m: m.part)
        resume = (
            f"Module le mieux acquis : M{haut.numero} ({pourcent(haut.part)}) ; "
            f"le moins bien : M{bas.numero} ({pourcent(bas.part)})."
        )
    else:
        resume = "Aucune évaluation finale pendant la période."
    jugements = sum(m.evalues for m in modules)
    chiffres = (
        Chiffre(
            "Compétences acquises à l'évaluation finale",
            sum(m.acquis for m in modules),
            "Jugements « acquis » (fait seul) à l'évaluation finale tenue pendant la période ; la part est "
            "rapportée à toutes les compétences jugées à cette évaluation.",
            taux(sum(m.acquis for m in modules), jugements),
            True,
        ),
    )
    return Section(
        "competences",
        "Compétences",
        chiffres,
        (par_module, par_competence),
        (Graphique("acquis_par_module", par_module.titre, "barres", 3, resume, en_pourcentage=True),),
    )


def section_entrainements(ctx: Contexte) -> Section:
    resultat = indicateurs.entrainements(
        queries.reservations(ctx.structure_ids, ctx.periode),
        queries.entrainements_refuses(ctx.structure_ids, ctx.periode),
    )
    niveaux = indicateurs.repartition(
        queries.niveaux_dernier_entrainement(ctx.structure_ids, ctx.periode), tuple(RESULTATS_COMPETENCE)
    )
    acquis = next(p for p in niveaux if p.cle == "acquis")
    tableau = Tableau.de(
        "entrainements",
        "Entraînements après l'atelier",
        ("Entraînements", "Nombre"),
        [
            (STATUTS_RESERVATION["honoree"], resultat.honores),
            (STATUTS_RESERVATION["absente"], resultat.absents),
            ("À venir", resultat.a_venir),
            ("Refusés", resultat.refuses),
        ],
        "Réservations d'entraînement pour un jour de la période (venues, absences, à venir ; les annulées "
        "exclues), et entraînements refusés par la personne dont le jour visé tombe dans la période.",
    )
    tableau_niveaux = Tableau.de(
        "niveaux_dernier_entrainement",
        "Compétences au dernier entraînement",
        ("Niveau", "Compétences", "Part"),
        _parts(niveaux, RESULTATS_COMPETENCE),
        "Compétences travaillées au dernier entraînement suivi de chaque personne, quand il a eu lieu pendant la "
        "période, par niveau noté ce jour-là.",
        pourcentages=(2,),
    )
    chiffres = (
        Chiffre(
            "Entraînements réservés",
            resultat.reserves,
            "Réservations d'entraînement pour un jour de la période, hors annulées.",
        ),
        Chiffre(
            "Entraînements honorés",
            resultat.honores,
            "Réservations de la période où la personne est venue ; la part est rapportée aux réservations dont la "
            "présence est notée (venues et absences).",
            resultat.taux_honores,
            True,
        ),
        Chiffre(
            "Absences à l'entraînement", resultat.absents, "Réservations de la période où la personne n'est pas venue."
        ),
        Chiffre(
            "Entraînements refusés",
            resultat.refuses,
            "Entraînements refusés par la personne, dont le jour visé tombe dans la période.",
        ),
        Chiffre(
            "Compétences maintenues au dernier entraînement",
            acquis.nombre,
            "Compétences notées « acquis » (fait seul) au dernier entraînement de chaque personne tenu pendant la "
            "période ; la part est rapportée aux compétences travaillées ce jour-là.",
            acquis.part,
            True,
        ),
    )
    resume = (
        f"Sur {nombre(resultat.reserves, 'entraînement réservé', 'entraînements réservés')}, "
        f"{resultat.honores} honorés, {nombre(resultat.absents, 'absence')}, {resultat.a_venir} à venir ; "
        f"{nombre(resultat.refuses, 'entraînement refusé', 'entraînements refusés')}."
        if resultat.reserves or resultat.refuses
        else "Aucun entraînement réservé ni refusé pendant la période."
    )
    return Section(
        "entrainements",
        "Entraînements",
        chiffres,
        (tableau, tableau_niveaux),
        (Graphique("entrainements", tableau.titre, "barres", 1, resume),),
    )


def section_attestations(ctx: Contexte) -> Section:
    emises, revoquees = queries.attestations(ctx.structure_ids, ctx.periode, ctx.zones)
    par_type = indicateurs.repartition(emises, tuple(TYPES_ATTESTATION))
    chiffres = (
        Chiffre(
            "Attestations émises",
            sum(p.nombre for p in par_type),
            "Attestations émises pendant la période, de fin de parcours ou de présence.",
        ),
        Chiffre(
            "Attestations révoquées",
            revoquees,
            "Attestations révoquées pendant la période, quelle que soit leur date d'émission.",
        ),
    )
    tableau = Tableau.de(
        "attestations_par_type",
        "Attestations émises par type",
        ("Type", "Attestations", "Part"),
        _parts(par_type, TYPES_ATTESTATION),
        "Attestations émises pendant la période, par type.",
        pourcentages=(2,),
    )
    return Section("attestations", "Attestations", chiffres, (tableau,))


SECTIONS: dict[str, Callable[[Contexte], Section]] = {
    "attente": section_attente,
    "positionnement": section_positionnement,
    "ateliers": section_ateliers,
    "assiduite": section_assiduite,
    "abandons": section_abandons,
    "competences": section_competences,
    "entrainements": section_entrainements,
    "attestations": section_attestations,
}
# The section holding each chart (its table bears the chart's name).
SECTION_DU_GRAPHIQUE = {
    "niveaux": "positionnement",
    "survie": "abandons",
    "abandons_par_motif": "abandons",
    "acquis_par_module": "competences",
    "entrainements": "entrainements",
}


def contexte(structure_ids: Collection[int], periode: Periode, now: datetime, today: date) -> Contexte:
    """:param now: naive UTC moment; :param today: the structures' local day (séances held by then count)."""
    ids = tuple(sorted(structure_ids))
    return Contexte(ids, periode, now, today, queries.fuseaux(ids))


def sections(ctx: Contexte) -> list[Section]:
    """Every section of the dashboard, in page order."""
    return [construire(ctx) for construire in SECTIONS.values()]


def tableaux(ctx: Contexte) -> list[Tableau]:
    """Every table of the dashboard, each section's key figures first: what an export writes."""
    return tableaux_de(sections(ctx))


def tableaux_de(calculees: Sequence[Section]) -> list[Tableau]:
    """Every table of sections already computed (:func:`sections`), each section's key figures first."""
    return [t for section in calculees for t in (section.tableau_des_chiffres(), *section.tableaux)]


def valeur_fr(chiffre: Chiffre) -> str:
    """A key figure's value as the page writes it: ``"12 jours"``, ``"8 (89 %)"`` (its rate in brackets when it
    has one), ``"aucune donnée"``."""
    valeur = cellule_fr(chiffre.valeur)
    if chiffre.unite and chiffre.valeur is not None:
        valeur = f"{valeur} {chiffre.unite}"
    if chiffre.a_une_part:
        valeur = f"{valeur} ({pourcent(chiffre.part)})"
    return valeur


def cellule_fr(valeur: Cellule, en_pourcentage: bool = False) -> str:
    """A cell as the page writes it: a rate as a percentage, a number the French way, ``None`` as "aucune
    donnée"."""
    if valeur is None:
        return "aucune donnée"
    if en_pourcentage:
        return pourcent(float(valeur))
    if isinstance(valeur, int | float):
        return decimal_fr(valeur)
    return str(valeur)
