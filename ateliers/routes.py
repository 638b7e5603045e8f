"""Blueprints of the ateliers package: waiting list, homogeneous groups, workshops and their séances.

Views have four beats: parse, call a service, commit, respond.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ateliers import cloture as cloture_service
from ateliers import competences as competences_service
from ateliers import dropout, grouping, planning, queries, services, suivis
from ateliers import presences as presences_service
from ateliers import rattrapages as rattrapages_service
from ateliers.calendrier import calendrier_ics
from ateliers.constants import STATUTS_PRESENCE
from ateliers.emargement_pdf import FeuilleSeance, feuille_emargement, horaire_fr
from ateliers.forms import (
    AnimateursSeanceForm,
    AtelierPrevuForm,
    ConfirmationForm,
    DeplacementForm,
    DeverrouillageForm,
    FermetureForm,
    FiltresAttenteForm,
    ParametresPropositionForm,
    PlanificationForm,
    RattrapageFaitForm,
    RattrapageForm,
    SeuilsForm,
    StatutAttenteForm,
    SuiviForm,
)
from ateliers.models import Alerte, Atelier, Fermeture, Inscription, Rattrapage, Seance
from ateliers.queries import FiltresAttente, groupable_ateliers, paginate_waiting_list, waiting_matrix
from core import disponibilites, journal
from core.access import get_in_structure_or_404, roles_required
from core.constants import MOTIFS_SORTIE, ROLES
from core.errors import DomainError
from core.models import Apprenant
from core.timeutil import to_paris, utcnow
from evaluations.constants import NIVEAUX, RESULTATS_COMPETENCE
from evaluations.curriculum import current_curriculum_version, modules_of_version
from extensions import db

attente_bp = Blueprint("attente", __name__, url_prefix="/liste-attente")
groupes_bp = Blueprint("groupes", __name__, url_prefix="/groupes")

READERS = ("admin", "mediateur", "direction")
# What the mediator is told when the solver ran out of time before proving an objective.
OBJECTIFS_NON_PROUVES = {
    "minimum": "les groupes déjà commencés ne sont peut-être pas tous complétés au mieux",
    "places": "il serait peut-être possible de placer davantage de personnes",
    "attente": "le nombre de personnes placées est le meilleur possible, mais d'autres personnes attendant "
    "depuis plus longtemps pourraient peut-être passer avant",
    "ecarts": "le nombre de personnes placées et la priorité à l'ancienneté sont les meilleurs possibles ; "
    "des groupes plus homogènes existent peut-être",
}
WRITERS = ("admin", "mediateur")


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value not in (None, "") and str(value).isdigit() else None


@attente_bp.get("/")
@roles_required(*READERS)
def liste():
    form = FiltresAttenteForm(request.args)
    form.validate()
    filtres = FiltresAttente(
        statut=form.statut.data or None if "statut" in request.args else "en_attente",
        niveau=_int_or_none(form.niveau.data),
        demi_journee=_int_or_none(form.demi_journee.data),
    )
    page = paginate_waiting_list(current_user.structure_id, filtres, max(request.args.get("page", 1, type=int), 1))
    matrix = waiting_matrix(current_user.structure_id)
    journal.record(current_user, "consultation", "apprenant", None, f"liste d'attente, page {page.page}")
    db.session.commit()
    return render_template(
        "attente/liste.html",
        form=form,
        page=page,
        filtres=filtres,
        matrix=matrix,
        today=utcnow().date(),
        statut_form=StatutAttenteForm(),
        demi_journees=disponibilites.DEMI_JOURNEES,
        pager_args={key: value for key, value in request.args.items() if key != "page"},
    )


@attente_bp.post("/<int:apprenant_id>/statut")
@roles_required(*WRITERS)
def statut(apprenant_id: int):
    apprenant = get_in_structure_or_404(Apprenant, apprenant_id)
    form = StatutAttenteForm()
    if form.validate_on_submit():
        try:
            services.change_waiting_status(current_user, apprenant, form.statut.data, utcnow().date())
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(f"{apprenant.nom_complet} : statut mis à jour.", "success")
    else:
        flash("Choisissez un statut.", "error")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("attente.liste"))


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)


@groupes_bp.get("/")
@roles_required(*WRITERS)
def index():
    return _render_index(AtelierPrevuForm())


def _render_index(form, status: int = 200):
    ateliers = groupable_ateliers(current_user.structure_id)
    spread = min((a.ecart_max for a in ateliers), default=20)
    return render_template(
        "groupes/index.html",
        form=form,
        ateliers=ateliers,
        ecart_max=spread,
        demi_journees=disponibilites.DEMI_JOURNEES,
    ), status


@groupes_bp.post("/ateliers")
@roles_required(*WRITERS)
def planifier():
    form = AtelierPrevuForm()
    if not form.validate_on_submit():
        return _render_index(form, 200)
    atelier = services.plan_atelier(current_user, form.to_data())
    db.session.commit()
    flash(f"Atelier « {atelier.intitule} » prévu.", "success")
    return redirect(url_for("groupes.index"))


def _assignment_from_form(plan: services.Plan) -> dict[int, list[int]]:
    """Read each person's select ("atelier-<learner id>": workshop id, or empty to leave them waiting).

    Every posted person is kept, even one who is no longer waiting: the service then refuses the stale proposal.
    """
    assignment: dict[int, list[int]] = {atelier_id: [] for atelier_id in plan.ateliers}
    for key, value in request.form.items():
        candidate_id, chosen = _int_or_none(key.removeprefix("atelier-")), _int_or_none(value)
        if key.startswith("atelier-") and candidate_id is not None and chosen is not None:
            assignment.setdefault(chosen, []).append(candidate_id)
    return assignment


@groupes_bp.route("/proposition", methods=["GET", "POST"])
@roles_required(*WRITERS)
def proposition():
    """GET: a fresh proposal. POST "verifier": check the groups as moved by hand. POST "confirmer": enrol."""
    atelier_ids = [i for i in (_int_or_none(v) for v in request.values.getlist("atelier")) if i is not None]
    parametres = ParametresPropositionForm(request.values)
    if not atelier_ids or not parametres.validate():
        flash("Cochez au moins un atelier à remplir." if not atelier_ids else parametres.ecart_max.errors[0], "error")
        return redirect(url_for("groupes.index"))
    ecart_max = parametres.ecart_max.data if parametres.ecart_max.data is not None else 20
    today = utcnow().date()
    try:
        plan = services.build_plan(current_user.structure_id, atelier_ids, today)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("groupes.index"))
    confirmation = ConfirmationForm()
    warnings: list[str] = []
    proposal = None
    if request.method == "POST" and confirmation.validate_on_submit():
        assignment = _assignment_from_form(plan)
        if request.form.get("action") == "confirmer":
            try:
                inscriptions = services.confirm_groups(
                    current_user, plan, assignment, ecart_max, confirmation.accepter_avertissements.data, today
                )
            except services.StaleProposal as stale:
                db.session.rollback()
                flash(stale.message, "error")
                return redirect(url_for("groupes.proposition", atelier=atelier_ids, ecart_max=ecart_max))
            except services.WarningsNotAccepted as refused:
                warnings = refused.warnings
                confirmation.accepter_avertissements.errors = [refused.message]
            except DomainError as error:
                flash(error.message, "error")
            else:
                db.session.commit()
                flash(f"Groupes confirmés : {len(inscriptions)} inscription(s) enregistrée(s).", "success")
                return redirect(url_for("groupes.index"))
        assignment = plan.known(assignment)
    else:
        proposal = grouping.propose_groupes(
            plan.candidats, plan.prevus, ecart_max=ecart_max, time_limit=current_app.config["GROUPING_TIME_LIMIT"]
        )
        assignment = {atelier_id: list(ids) for atelier_id, ids in proposal.groupes.items()}
    groupes, waiting = services.describe_assignment(plan, assignment, ecart_max, proposal)
    journal.record(current_user, "consultation", "apprenant", None, "proposition de groupes")
    db.session.commit()
    return render_template(
        "groupes/proposition.html",
        plan=plan,
        groupes=groupes,
        waiting=waiting,
        warnings=warnings,
        proposition=proposal,
        atelier_ids=atelier_ids,
        ecart_max=ecart_max,
        confirmation=confirmation,
        today=today,
        demi_journees=disponibilites.DEMI_JOURNEES,
        OBJECTIFS_NON_PROUVES=OBJECTIFS_NON_PROUVES,
    )


# --- Workshops: planning, séances, closures, calendar and attendance sheets --------------------------------

ateliers_bp = Blueprint("ateliers", __name__, url_prefix="/ateliers")

VIEWERS = ("admin", "mediateur", "direction", "benevole")
PRINTERS = ("admin", "mediateur", "benevole")


def _atelier_or_404(atelier_id: int) -> Atelier:
    """The workshop with everything its page shows; a volunteer sees only the workshops they co-run."""
    atelier = queries.atelier_detail(current_user.structure_id, atelier_id)
    if atelier is None:
        abort(404)
    if current_user.role == "benevole" and not _seances_of_viewer(atelier):
        abort(404)
    return atelier


def _horaire(seance: Seance) -> str:
    """``mardi 3 mars 2026, 9 h 00 – 12 h 00`` in Paris time."""
    return horaire_fr(to_paris(seance.starts_at), to_paris(seance.ends_at))


def _seances_of_viewer(atelier: Atelier) -> list[Seance]:
    """The séances the signed-in account may see: all of them, or for a volunteer, those they co-run."""
    if current_user.role != "benevole":
        return list(atelier.seances)
    return [s for s in atelier.seances if any(a.id == current_user.id for a in s.animateurs)]


@ateliers_bp.get("/", endpoint="liste")
@roles_required(*VIEWERS)
def ateliers_liste():
    return _render_liste(FermetureForm())


def _render_liste(form: FermetureForm, status: int = 200):
    animateur_id = current_user.id if current_user.role == "benevole" else None
    today = utcnow().date()
    return render_template(
        "ateliers/liste.html",
        ateliers=queries.ateliers_of(current_user.structure_id, animateur_id),
        fermetures=queries.fermetures_a_venir(current_user.structure_id, today),
        form=form,
        demi_journees=disponibilites.DEMI_JOURNEES,
    ), status


@ateliers_bp.post("/fermetures")
@roles_required(*WRITERS)
def fermeture():
    form = FermetureForm()
    if not form.validate_on_submit():
        return _render_liste(form)
    try:
        services.ajouter_fermeture(
            current_user, form.debut_on.data, form.fin_on.data, (form.motif.data or "").strip(), utcnow().date()
        )
    except DomainError as error:
        db.session.rollback()
        _field_error(form, error)
        return _render_liste(form)
    db.session.commit()
    flash("Fermeture enregistrée.", "success")
    return redirect(url_for("ateliers.liste"))


def _field_error(form, error: DomainError) -> None:
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        flash(error.message, "error")


@ateliers_bp.get("/<int:atelier_id>")
@roles_required(*VIEWERS)
def detail(atelier_id: int):
    return _render_detail(_atelier_or_404(atelier_id))


def _render_detail(
    atelier: Atelier,
    planification: PlanificationForm | None = None,
    deplacement=None,
    deverrouillage=None,
    animateurs_refuses=None,
):
    """The workshop page. ``deplacement`` and ``animateurs_refuses`` are ``(numero, form)`` when a move or a
    change of animateurs was refused."""
    animateurs = services.animateurs_of(atelier.structure_id) if current_user.role in WRITERS else []
    if planification is None:
        planification = PlanificationForm(formdata=None, lieu=atelier.lieu)
    planification.animateurs.choices = [(c.id, f"{c.nom_complet} ({ROLES[c.role].lower()})") for c in animateurs]
    seances = _seances_of_viewer(atelier)
    fermetures = services.fermetures_planning(atelier.structure_id) if atelier.seances else []
    avertissements = planning.conflits([services.seance_planifiee(s) for s in seances], fermetures)
    journal.record(current_user, "consultation", "atelier", atelier.id, "page de l'atelier")
    db.session.commit()
    return render_template(
        "ateliers/detail.html",
        atelier=atelier,
        seances=seances,
        membres=sorted(atelier.inscriptions, key=lambda i: (i.apprenant.nom.lower(), i.apprenant.prenom.lower())),
        avertissements=avertissements,
        planification=planification,
        deplacement=deplacement or (None, None),
        animateurs_refuses=animateurs_refuses or (None, None),
        deverrouillage=deverrouillage or DeverrouillageForm(formdata=None),
        cloturable=current_user.role in WRITERS and not cloture_service.empechements_cloture(atelier, utcnow().date()),
        horaire=_horaire,
        demi_journees=disponibilites.DEMI_JOURNEES,
        today=utcnow().date(),
    )


@ateliers_bp.post("/<int:atelier_id>/planifier")
@roles_required(*WRITERS)
def planifier_atelier(atelier_id: int):
    atelier = _atelier_or_404(atelier_id)
    form = PlanificationForm()
    form.animateurs.choices = [(c.id, c.nom_complet) for c in services.animateurs_of(atelier.structure_id)]
    if not form.validate_on_submit():
        return _render_detail(atelier, form)
    try:
        services.planifier_atelier(current_user, atelier, today=utcnow().date(), **form.to_data())
    except DomainError as error:
        db.session.rollback()
        _field_error(form, error)
        return _render_detail(_atelier_or_404(atelier_id), form)
    db.session.commit()
    flash("Atelier planifié : six séances datées.", "success")
    return redirect(url_for("ateliers.detail", atelier_id=atelier_id))


@ateliers_bp.post("/<int:atelier_id>/seances/<int:numero>/deplacer")
@roles_required(*WRITERS)
def deplacer_seance(atelier_id: int, numero: int):
    atelier = _atelier_or_404(atelier_id)
    _seance_or_404(atelier, numero)
    form = DeplacementForm()
    if not form.validate_on_submit():
        return _render_detail(atelier, deplacement=(numero, form))
    try:
        services.deplacer_seance(current_user, atelier, numero, form.jour.data, form.decaler.data, utcnow().date())
    except DomainError as error:
        db.session.rollback()
        _field_error(form, error)
        return _render_detail(_atelier_or_404(atelier_id), deplacement=(numero, form))
    db.session.commit()
    flash(f"Séance {numero} déplacée.", "success")
    return redirect(url_for("ateliers.detail", atelier_id=atelier_id))


@ateliers_bp.get("/<int:atelier_id>/calendrier.ics")
@roles_required("admin", "mediateur", "direction")
def calendrier(atelier_id: int):
    atelier = _atelier_or_404(atelier_id)
    if not atelier.seances:
        flash("Planifiez l'atelier avant d'exporter son calendrier.", "error")
        return redirect(url_for("ateliers.detail", atelier_id=atelier_id))
    contenu = calendrier_ics(
        atelier.intitule,
        atelier.lieu,
        [(s.numero, s.module.titre, s.starts_at, s.ends_at) for s in atelier.seances],
        uid_prefix=f"{request.host.split(':')[0]}-atelier-{atelier.id}",
        now=utcnow(),
    )
    journal.record(current_user, "export", "atelier", atelier.id, "calendrier ICS")
    db.session.commit()
    return _download(contenu, "text/calendar; charset=utf-8", f"{slugify(atelier.intitule)}.ics")


@ateliers_bp.get("/<int:atelier_id>/emargement.pdf")
@roles_required(*PRINTERS)
def emargement(atelier_id: int):
    atelier = _atelier_or_404(atelier_id)
    seances = _seances_of_viewer(atelier)
    if not seances:
        flash("Planifiez l'atelier avant d'imprimer les feuilles d'émargement.", "error")
        return redirect(url_for("ateliers.detail", atelier_id=atelier_id))
    return _feuilles(atelier, seances, f"emargement-{slugify(atelier.intitule)}.pdf")


@ateliers_bp.get("/<int:atelier_id>/seances/<int:numero>/emargement.pdf")
@roles_required(*PRINTERS)
def emargement_seance(atelier_id: int, numero: int):
    atelier = _atelier_or_404(atelier_id)
    seance = _seance_or_404(atelier, numero)
    return _feuilles(atelier, [seance], f"emargement-{slugify(atelier.intitule)}-seance-{numero}.pdf")


def _feuilles(atelier: Atelier, seances: list[Seance], filename: str):
    apprenants = [
        i.apprenant.nom_complet
        for i in sorted(atelier.inscriptions, key=lambda i: (i.apprenant.nom.lower(), i.apprenant.prenom.lower()))
        if i.statut != "abandon"
    ]
    feuilles = [
        FeuilleSeance(
            structure=atelier.structure.nom,
            atelier=atelier.intitule,
            lieu=atelier.lieu,
            numero=s.numero,
            module=s.module.titre,
            debut=to_paris(s.starts_at),
            fin=to_paris(s.ends_at),
            animateurs=[a.nom_complet for a in s.animateurs],
            apprenants=apprenants,
        )
        for s in seances
    ]
    contenu = feuille_emargement(feuilles)
    numeros = ", ".join(str(s.numero) for s in seances)
    journal.record(current_user, "export", "atelier", atelier.id, f"feuille d'émargement, séance(s) {numeros}")
    db.session.commit()
    return _download(contenu, "application/pdf", filename)


def _download(contenu: bytes, mimetype: str, filename: str) -> Response:
    response = Response(contenu, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def slugify(texte: str) -> str:
    """``Atelier du mardi matin`` -> ``atelier-du-mardi-matin`` (ASCII, for file names)."""
    ascii_text = unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "atelier"


@ateliers_bp.route("/<int:atelier_id>/seances/<int:numero>/presences", methods=["GET", "POST"])
@roles_required(*PRINTERS)
def presences(atelier_id: int, numero: int):
    atelier = _atelier_or_404(atelier_id)
    seance = _seance_or_404(atelier, numero)
    inscrits = presences_service.inscrits_de_seance(atelier, seance)
    if request.method == "GET":
        return _render_presences(atelier, seance, inscrits, _valeurs_enregistrees(seance), {})
    saisies = {
        i.id: presences_service.Saisie(
            request.form.get(f"statut-{i.id}") or None,
            request.form.get(f"arrivee-{i.id}", ""),
            request.form.get(f"depart-{i.id}", ""),
        )
        for i in inscrits
    }
    # The CSRF token was checked before the view (CSRFProtect): a stale page gets the French 400 page.
    typed = {i.id: (s.statut, s.arrivee, s.depart) for i, s in ((i, saisies[i.id]) for i in inscrits)}
    try:
        changees = presences_service.enregistrer_presences(current_user, atelier, seance, saisies, utcnow().date())
        db.session.commit()
    except presences_service.PresencesRefusees as error:
        db.session.rollback()
        if not error.erreurs:
            flash(error.message, "error")
        return _render_presences(atelier, seance, inscrits, typed, error.erreurs, message=error.message)
    except sa.exc.IntegrityError:
        # Someone saved this séance at the same instant: the unique (séance, inscription) rule refused ours.
        db.session.rollback()
        flash(
            "Les présences de cette séance viennent d'être enregistrées par quelqu'un d'autre : rien n'a été "
            "modifié. Vérifiez ci-dessous puis enregistrez à nouveau.",
            "error",
        )
        return _render_presences(atelier, seance, inscrits, typed, {})
    flash(f"Présences de la séance {numero} enregistrées ({len(changees)} modification(s)).", "success")
    return redirect(url_for("ateliers.presences", atelier_id=atelier_id, numero=numero))


def _heure_paris(moment) -> str:
    return f"{to_paris(moment):%H:%M}" if moment else ""


def _valeurs_enregistrees(seance: Seance) -> dict[int, tuple[str | None, str, str]]:
    return {
        p.inscription_id: (p.statut, _heure_paris(p.arrival_at), _heure_paris(p.departure_at)) for p in seance.presences
    }


def _render_presences(atelier, seance, inscrits, valeurs, erreurs, message: str | None = None):
    return render_template(
        "ateliers/presences.html",
        atelier=atelier,
        seance=seance,
        inscrits=inscrits,
        valeurs=valeurs,
        erreurs=erreurs,
        message=message if erreurs else None,
        horaire=_horaire(seance),
        statuts=STATUTS_PRESENCE,
        prenoms_seuls=current_user.role == "benevole",
    )


def _seance_or_404(atelier: Atelier, numero: int) -> Seance:
    """Séance ``numero`` of ``atelier``: 404 if there is none, 403 for a volunteer who does not co-run it."""
    seance = next((s for s in atelier.seances if s.numero == numero), None)
    if seance is None:
        abort(404)
    if seance not in _seances_of_viewer(atelier):
        abort(403)
    return seance


CHAMP_COMPETENCE = re.compile(r"^c-(\d+)-(\d+)$")


@ateliers_bp.route("/<int:atelier_id>/seances/<int:numero>/competences", methods=["GET", "POST"])
@roles_required(*PRINTERS)
def competences(atelier_id: int, numero: int):
    atelier = _atelier_or_404(atelier_id)
    seance = _seance_or_404(atelier, numero)
    inscrits = presences_service.inscrits_de_seance(atelier, seance)
    if request.method == "GET":
        return _render_competences(atelier, seance, inscrits, None, {})
    saisies: dict[int, dict[int, str]] = {}
    for cle, valeur in request.form.items():
        match = CHAMP_COMPETENCE.match(cle)
        if match and valeur:
            saisies.setdefault(int(match.group(1)), {})[int(match.group(2))] = valeur
    typed = {(i, c): v for i, par_competence in saisies.items() for c, v in par_competence.items()}
    try:
        changees = competences_service.enregistrer_competences(current_user, atelier, seance, saisies, utcnow().date())
        db.session.commit()
    except (competences_service.InscriptionInconnue, competences_service.CompetenceInconnue):
        db.session.rollback()
        abort(404)
    except (competences_service.CompetencesRefusees, services.AtelierClos) as error:
        db.session.rollback()
        erreurs = getattr(error, "erreurs", {})
        flash(error.message + " Rien de ce que vous avez saisi n'est perdu.", "error")
        return _render_competences(atelier, seance, inscrits, typed, erreurs)
    except sa.exc.IntegrityError:
        db.session.rollback()
        flash(
            "Ces compétences viennent d'être enregistrées par quelqu'un d'autre : rien n'a été modifié. "
            "Vérifiez ci-dessous puis enregistrez à nouveau.",
            "error",
        )
        return _render_competences(atelier, seance, inscrits, typed, {})
    quoi = "Évaluation finale" if seance.numero == len(atelier.seances) else f"Compétences de la séance {numero}"
    flash(f"{quoi} enregistrée(s) ({len(changees)} personne(s) modifiée(s)).", "success")
    return redirect(url_for("ateliers.competences", atelier_id=atelier_id, numero=numero))


def _render_competences(atelier, seance, inscrits, valeurs, erreurs):
    """The skills page; ``valeurs`` None shows the stored judgements, else what was typed."""
    vue = competences_service.grille(atelier, seance)
    enregistres = competences_service.resultats([i.id for i in inscrits])
    if valeurs is None:
        valeurs = {(i, c): e.resultat for i, par_competence in enregistres.items() for c, e in par_competence.items()}
    precedents = {}
    if vue.precedents:
        for inscription in inscrits:
            lignes = []
            for module in vue.precedents:
                compte = Counter(
                    enregistres[inscription.id][c.id].resultat
                    for c in module.competences
                    if c.id in enregistres[inscription.id]
                )
                lignes.append((module, compte, len(module.competences)))
            precedents[inscription.id] = lignes
    statuts = {p.inscription_id: p.statut for p in seance.presences}
    return render_template(
        "ateliers/competences.html",
        atelier=atelier,
        seance=seance,
        vue=vue,
        inscrits=inscrits,
        valeurs=valeurs,
        erreurs=erreurs,
        empeches=competences_service.empechements(seance, inscrits),
        precedents=precedents,
        presences=statuts,
        horaire=_horaire(seance),
        resultats=RESULTATS_COMPETENCE,
        statuts_presence=STATUTS_PRESENCE,
        prenoms_seuls=current_user.role == "benevole",
    )


def _inscription_or_404(inscription_id: int) -> Inscription:
    """An inscription of the current structure with its learner and workshop (séances, modules) loaded."""
    inscription = db.session.scalar(
        sa.select(Inscription)
        .join(Atelier, Atelier.id == Inscription.atelier_id)
        .where(Inscription.id == inscription_id, Atelier.structure_id == current_user.structure_id)
        .options(joinedload(Inscription.apprenant))
        .options(joinedload(Inscription.atelier).selectinload(Atelier.seances).joinedload(Seance.module))
    )
    if inscription is None:
        abort(404)
    return inscription


@ateliers_bp.get("/inscriptions/<int:inscription_id>/progression")
@roles_required(*READERS)
def progression(inscription_id: int):
    inscription = _inscription_or_404(inscription_id)
    atelier = inscription.atelier
    vue = competences_service.progression(inscription)
    journal.record(current_user, "consultation", "inscription", inscription.id, "progression")
    db.session.commit()
    return render_template(
        "ateliers/progression.html",
        inscription=inscription,
        atelier=atelier,
        vue=vue,
        resultats=RESULTATS_COMPETENCE,
        statuts_presence=STATUTS_PRESENCE,
        horaire=_horaire,
    )


@ateliers_bp.route("/<int:atelier_id>/cloture", methods=["GET", "POST"])
@roles_required(*WRITERS)
def cloture(atelier_id: int):
    atelier = _atelier_or_404(atelier_id)
    today = utcnow().date()
    en_cours = [i for i in _membres(atelier) if i.statut == "inscrit"]
    decisions = {i.id: ("termine", None) for i in en_cours}
    erreurs: dict[str, str] = {}
    if request.method == "POST":
        decisions = {
            i.id: (request.form.get(f"decision-{i.id}") or None, request.form.get(f"motif-{i.id}") or None)
            for i in en_cours
        }
        try:
            cloture_service.cloturer_atelier(current_user, atelier, decisions, today)
        except DomainError as error:
            db.session.rollback()
            if error.field:
                erreurs[error.field] = error.message
            flash(error.message, "error")
            atelier = _atelier_or_404(atelier_id)
            en_cours = [i for i in _membres(atelier) if i.statut == "inscrit"]
        else:
            db.session.commit()
            flash("Atelier clos : inscriptions, heures suivies et grille finale sont verrouillées.", "success")
            return redirect(url_for("ateliers.detail", atelier_id=atelier_id))
    return render_template(
        "ateliers/cloture.html",
        atelier=atelier,
        en_cours=en_cours,
        decisions=decisions,
        erreurs=erreurs,
        empechements=cloture_service.empechements_cloture(atelier, today),
        sans_finale=cloture_service.sans_evaluation_finale(atelier),
        choix=cloture_service.DECISIONS,
        motifs=MOTIFS_SORTIE,
    )


def _membres(atelier: Atelier) -> list[Inscription]:
    return sorted(atelier.inscriptions, key=lambda i: (i.apprenant.nom.lower(), i.apprenant.prenom.lower(), i.id))


@ateliers_bp.post("/<int:atelier_id>/deverrouiller")
@roles_required(*WRITERS)
def deverrouiller(atelier_id: int):
    atelier = _atelier_or_404(atelier_id)
    form = DeverrouillageForm()
    if form.validate_on_submit():
        try:
            cloture_service.deverrouiller(current_user, atelier, form.motif.data)
        except DomainError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash("Atelier déverrouillé : corrigez puis reverrouillez-le. Le motif est noté au journal.", "success")
            return redirect(url_for("ateliers.detail", atelier_id=atelier_id))
    return _render_detail(_atelier_or_404(atelier_id), deverrouillage=form)


@ateliers_bp.post("/<int:atelier_id>/reverrouiller")
@roles_required(*WRITERS)
def reverrouiller(atelier_id: int):
    atelier = _atelier_or_404(atelier_id)
    try:
        cloture_service.reverrouiller(current_user, atelier)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("Atelier reverrouillé ; les heures suivies ont été recalculées.", "success")
    return redirect(url_for("ateliers.detail", atelier_id=atelier_id))


@ateliers_bp.get("/a-rappeler")
@roles_required(*WRITERS)
def a_rappeler():
    lignes = queries.alertes_ouvertes(current_user.structure_id)
    journal.record(current_user, "consultation", "alerte", None, f"liste à rappeler, {len(lignes)} alerte(s)")
    db.session.commit()
    return render_template(
        "ateliers/a_rappeler.html", lignes=lignes, regles=dropout.REGLES, risques=dropout.NIVEAUX_RISQUE
    )


def _alerte_or_404(alerte_id: int) -> Alerte:
    """An alert of the current structure (through its workshop), with its learner and workshop loaded."""
    alerte = db.session.scalar(
        sa.select(Alerte)
        .join(Inscription, Inscription.id == Alerte.inscription_id)
        .join(Atelier, Atelier.id == Inscription.atelier_id)
        .where(Alerte.id == alerte_id, Atelier.structure_id == current_user.structure_id)
        .options(joinedload(Alerte.inscription).joinedload(Inscription.apprenant))
        .options(joinedload(Alerte.inscription).joinedload(Inscription.atelier))
    )
    if alerte is None:
        abort(404)
    return alerte


@ateliers_bp.route("/alertes/<int:alerte_id>/suivi", methods=["GET", "POST"])
@roles_required(*WRITERS)
def suivi(alerte_id: int):
    alerte = _alerte_or_404(alerte_id)
    today = utcnow().date()
    form = SuiviForm() if request.method == "POST" else SuiviForm(formdata=None, appel_on=today)
    if request.method == "POST" and form.validate_on_submit():
        try:
            suivis.enregistrer_suivi(
                current_user,
                alerte,
                form.appel_on.data,
                form.resultat.data,
                form.motif.data or None,
                form.suite.data,
                today,
            )
        except DomainError as error:
            db.session.rollback()
            _field_error(form, error)
            alerte = _alerte_or_404(alerte_id)
        else:
            db.session.commit()
            flash(f"Appel de {alerte.inscription.apprenant.nom_complet} enregistré.", "success")
            if form.suite.data == "abandon":
                flash("Une place est libre : voici les personnes en attente qui peuvent la prendre.", "info")
                return redirect(url_for("ateliers.remplacement", atelier_id=alerte.inscription.atelier_id))
            if form.suite.data == "rattrapage_propose":
                return redirect(
                    url_for("ateliers.rattrapages", inscription_id=alerte.inscription_id, module=alerte.module_numero)
                )
            return redirect(url_for("ateliers.a_rappeler"))
    return render_template("ateliers/suivi.html", alerte=alerte, form=form, regles=dropout.REGLES)


# --- Dropout-alert thresholds of the structure ----------------------------------------------------------


def _titres_modules() -> dict[int, str]:
    """Module number -> title in the current curriculum (empty when none is loaded)."""
    version = current_curriculum_version()
    return {m.numero: m.titre for m in modules_of_version(version)} if version is not None else {}


def _render_seuils(form: SeuilsForm, titres_modules: dict[int, str]):
    return render_template(
        "ateliers/seuils.html",
        form=form,
        seuils=dropout.Seuils.from_dict(current_user.structure.seuils_decrochage or {}),
        reference=dropout.Seuils(),
        titres_modules=titres_modules,
        niveaux=NIVEAUX,
        peut_modifier=current_user.role in WRITERS,
    )


@ateliers_bp.get("/seuils", endpoint="seuils")
@roles_required(*READERS)
def seuils():
    actuels = dropout.Seuils.from_dict(current_user.structure.seuils_decrochage or {})
    titres = _titres_modules()
    return _render_seuils(SeuilsForm(formdata=None, titres_modules=titres, **SeuilsForm.initial_data(actuels)), titres)


@ateliers_bp.post("/seuils", endpoint="enregistrer_seuils")
@roles_required(*WRITERS)
def enregistrer_seuils():
    """Save the thresholds typed, or with ``action=reference`` restore the reference ones (direction: 403)."""
    titres = _titres_modules()
    form = SeuilsForm(titres_modules=titres)
    if request.form.get("action") == "reference":
        nouveaux = dropout.Seuils()  # the CSRF token was checked before the view (CSRFProtect)
    elif not form.validate_on_submit():
        return _render_seuils(form, titres)
    else:
        try:
            nouveaux = form.to_seuils()
        except ValueError as error:
            form.form_errors.append(str(error))
            return _render_seuils(form, titres)
    services.modifier_seuils(current_user, current_user.structure, nouveaux, utcnow().date())
    db.session.commit()
    flash("Seuils d'alerte enregistrés.", "success")
    return redirect(url_for("ateliers.seuils"))


# --- A freed place: propose the next suitable person from the waiting list --------------------------------


@ateliers_bp.get("/<int:atelier_id>/remplacement")
@roles_required(*WRITERS)
def remplacement(atelier_id: int):
    return _render_remplacement(_atelier_or_404(atelier_id))


@ateliers_bp.post("/<int:atelier_id>/remplacement/<int:apprenant_id>")
@roles_required(*WRITERS)
def inscrire_remplacant(atelier_id: int, apprenant_id: int):
    atelier = _atelier_or_404(atelier_id)
    apprenant = get_in_structure_or_404(Apprenant, apprenant_id)
    try:
        inscription = services.inscrire_remplacant(current_user, atelier, apprenant, utcnow().date())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _render_remplacement(_atelier_or_404(atelier_id))
    db.session.commit()
    flash(f"{apprenant.nom_complet} rejoint l'atelier « {atelier.intitule} » à partir d'aujourd'hui.", "success")
    return redirect(url_for("ateliers.detail", atelier_id=inscription.atelier_id))


def _render_remplacement(atelier: Atelier):
    """The replacement page: free places, séances left, and who could come (only when someone can)."""
    today = utcnow().date()
    libres = atelier.capacite - atelier.places_prises
    try:
        restantes, refus = services.exiger_remplacable(atelier, today), None
    except DomainError as error:
        restantes, refus = [], error.message
    personnes = queries.remplacants(atelier, today) if libres > 0 and not refus else []
    journal.record(current_user, "consultation", "apprenant", None, f"remplaçants pour l'atelier {atelier.id}")
    db.session.commit()
    return render_template(
        "ateliers/remplacement.html",
        atelier=atelier,
        libres=libres,
        restantes=restantes,
        arrivee=_arrivee_en_mots(atelier, restantes),
        refus=refus,
        personnes=personnes,
        horaire=_horaire,
    )


def _arrivee_en_mots(atelier: Atelier, restantes: list[Seance]) -> str:
    """``arriverait à la séance 4 (module 4) et manquerait les séances 1, 2 et 3`` for a newcomer joining today."""
    if not restantes:
        return ""
    premiere = restantes[0]
    texte = f"arriverait à la séance {premiere.numero} (module {premiere.module.numero})"
    manquees = [str(s.numero) for s in atelier.seances if s.numero < premiere.numero]
    if len(manquees) == 1:
        texte += f" et manquerait la séance {manquees[0]}"
    elif manquees:
        texte += f" et manquerait les séances {', '.join(manquees[:-1])} et {manquees[-1]}"
    return texte


# --- Catch-ups (rattrapages) of a missed module -----------------------------------------------------------


def _rattrapage_or_404(rattrapage_id: int) -> Rattrapage:
    """A catch-up of the current structure (through its workshop), with its module and workshop loaded."""
    rattrapage = db.session.scalar(
        sa.select(Rattrapage)
        .join(Inscription, Inscription.id == Rattrapage.inscription_id)
        .join(Atelier, Atelier.id == Inscription.atelier_id)
        .where(Rattrapage.id == rattrapage_id, Atelier.structure_id == current_user.structure_id)
        .options(joinedload(Rattrapage.module))
        .options(joinedload(Rattrapage.inscription).joinedload(Inscription.atelier))
    )
    if rattrapage is None:
        abort(404)
    return rattrapage


def _rattrapage_form(lignes: list[rattrapages_service.ModuleManque], **data) -> RattrapageForm:
    """The planning form, its module choices limited to the missed modules not caught up yet."""
    form = RattrapageForm(formdata=None, **data) if data else RattrapageForm()
    form.module.choices = [
        ("", "—"),
        *(
            (str(ligne.seance.module_id), f"Module {ligne.seance.module.numero} : {ligne.seance.module.titre}")
            for ligne in lignes
            if ligne.is_manque and (ligne.rattrapage is None or ligne.rattrapage.fait_on is None)
        ),
    ]
    return form


def _render_rattrapages(inscription: Inscription, lignes, form: RattrapageForm, fait=(None, None)):
    """The catch-up page. ``fait`` is ``(rattrapage id, form)`` when a "done" date was refused."""
    today = utcnow().date()
    refuse_id, refuse_form = fait
    faits = {}
    for ligne in lignes:
        rattrapage = ligne.rattrapage
        if rattrapage is None or rattrapage.fait_on is not None:
            continue
        if rattrapage.id == refuse_id:
            faits[rattrapage.id] = refuse_form
        else:
            prevu = rattrapages_service.jour_prevu(rattrapage)
            faits[rattrapage.id] = RattrapageFaitForm(
                formdata=None, prefix=f"r{rattrapage.id}", fait_on=prevu if prevu <= today else None
            )
    journal.record(current_user, "consultation", "inscription", inscription.id, "rattrapages")
    db.session.commit()
    return render_template(
        "ateliers/rattrapages.html",
        inscription=inscription,
        atelier=inscription.atelier,
        lignes=lignes,
        form=form,
        faits=faits,
        statuts=STATUTS_PRESENCE,
        horaire=_horaire,
    )


@ateliers_bp.route("/inscriptions/<int:inscription_id>/rattrapages", methods=["GET", "POST"])
@roles_required(*WRITERS)
def rattrapages(inscription_id: int):
    inscription = _inscription_or_404(inscription_id)
    lignes = rattrapages_service.modules_manques(inscription)
    if request.method == "GET":
        numero = request.args.get("module", type=int)
        module_id = next((s.module_id for s in inscription.atelier.seances if s.module.numero == numero), "")
        return _render_rattrapages(inscription, lignes, _rattrapage_form(lignes, module=str(module_id)))
    form = _rattrapage_form(lignes)
    if not form.validate_on_submit():
        return _render_rattrapages(inscription, lignes, form)
    try:
        rattrapage = rattrapages_service.planifier_rattrapage(
            current_user, inscription, int(form.module.data), form.jour.data, form.heure.data, utcnow().date()
        )
        message = f"Rattrapage du module {rattrapage.module.numero} prévu."
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        _field_error(form, error)
    except sa.exc.IntegrityError:
        # A colleague planned this module for this learner at the same instant (unique inscription and module).
        db.session.rollback()
        flash(
            "Un rattrapage de ce module vient d'être prévu par quelqu'un d'autre : vérifiez ci-dessous puis "
            "enregistrez à nouveau.",
            "error",
        )
    else:
        flash(message, "success")
        return redirect(url_for("ateliers.rattrapages", inscription_id=inscription_id))
    inscription = _inscription_or_404(inscription_id)
    return _render_rattrapages(inscription, rattrapages_service.modules_manques(inscription), form)


@ateliers_bp.post("/rattrapages/<int:rattrapage_id>/fait")
@roles_required(*WRITERS)
def rattrapage_fait(rattrapage_id: int):
    rattrapage = _rattrapage_or_404(rattrapage_id)
    inscription_id, numero = rattrapage.inscription_id, rattrapage.module.numero
    form = RattrapageFaitForm(prefix=f"r{rattrapage_id}")
    if form.validate_on_submit():
        try:
            rattrapages_service.marquer_fait(current_user, rattrapage, form.fait_on.data, utcnow().date())
        except DomainError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(f"Rattrapage du module {numero} noté comme fait.", "success")
            return redirect(url_for("ateliers.rattrapages", inscription_id=inscription_id))
    inscription = _inscription_or_404(inscription_id)
    lignes = rattrapages_service.modules_manques(inscription)
    return _render_rattrapages(inscription, lignes, _rattrapage_form(lignes, module=""), fait=(rattrapage_id, form))


@ateliers_bp.post("/rattrapages/<int:rattrapage_id>/annuler")
@roles_required(*WRITERS)
def annuler_rattrapage(rattrapage_id: int):
    rattrapage = _rattrapage_or_404(rattrapage_id)
    inscription_id, numero = rattrapage.inscription_id, rattrapage.module.numero
    try:
        rattrapages_service.annuler_rattrapage(current_user, rattrapage)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        inscription = _inscription_or_404(inscription_id)
        lignes = rattrapages_service.modules_manques(inscription)
        return _render_rattrapages(inscription, lignes, _rattrapage_form(lignes, module=""))
    db.session.commit()
    flash(f"Rattrapage du module {numero} annulé.", "success")
    return redirect(url_for("ateliers.rattrapages", inscription_id=inscription_id))


@ateliers_bp.post("/<int:atelier_id>/seances/<int:numero>/animateurs")
@roles_required(*WRITERS)
def animateurs_seance(atelier_id: int, numero: int):
    atelier = _atelier_or_404(atelier_id)
    _seance_or_404(atelier, numero)
    form = AnimateursSeanceForm()
    if not form.validate_on_submit():
        return _render_detail(atelier, animateurs_refuses=(numero, form))
    try:
        services.changer_animateurs(
            current_user, atelier, numero, form.animateurs.data or [], form.suivantes.data, utcnow().date()
        )
    except DomainError as error:
        db.session.rollback()
        _field_error(form, error)
        return _render_detail(_atelier_or_404(atelier_id), animateurs_refuses=(numero, form))
    db.session.commit()
    suite = " et des suivantes" if form.suivantes.data and numero < atelier.seances[-1].numero else ""
    flash(f"Animateurs de la séance {numero}{suite} changés.", "success")
    return redirect(url_for("ateliers.detail", atelier_id=atelier_id))


@ateliers_bp.post("/fermetures/<int:fermeture_id>/supprimer")
@roles_required(*WRITERS)
def supprimer_fermeture(fermeture_id: int):
    fermeture = get_in_structure_or_404(Fermeture, fermeture_id)
    try:
        services.supprimer_fermeture(current_user, fermeture)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("Fermeture supprimée. Les séances déjà planifiées ne bougent pas : déplacez-les si besoin.", "success")
    return redirect(url_for("ateliers.liste"))
