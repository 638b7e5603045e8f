"""Blueprint of the evaluations package: the placement questionnaire and its result.

Views have four beats: parse, call a service, commit, respond. The questionnaire page answers a plain form
post (POST/redirect/GET) and, for the autosave script, the same post asking for JSON:

- request: the form's fields (``csrf_token`` included) posted to the form's ``action``, header
  ``Accept: application/json``, no submit button: a draft save;
- 200 ``{"saved": true, "id", "url", "saved_at", "message"}``: saved; ``url`` is the draft's page, where
  every later post must go (a new candidate is created once);
- 422 ``{"saved": false, "message", "errors": {field: [messages]}}``: nothing saved (identity incomplete,
  phone invalid, possible duplicate, unusable channel);
- 409 ``{"saved": false, "message", "url"}``: the placement is already complete (``url``: its result);
- 400 ``{"message", "csrf_token"}``: the page's CSRF token was refused (expired page, ended session), answered
  by ``core.security``; the script saves again once with ``csrf_token``. Other errors: ``{"message"}``.
- 409 ``{"saved": false, "message", "changes": [...]}``: someone saved this draft (or the person's availability
  or channel) since the page was opened; nothing saved, ``changes`` says what in French.

Every post carries the hidden ``version`` field (``core.versions``): the snapshot of what the page shows. A
200 answer gives the new one as ``version``, which the script puts in the field before the next save.
"""

from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from core import services as core_services
from core import versions
from core.access import get_in_structure_or_404, roles_required
from core.bounds import id_or_none
from core.constants import STATUTS_ATTENTE
from core.errors import DomainError
from core.forms import reprendre
from core.models import Apprenant
from core.timeutil import heure_fr, structure_today, structure_zone, to_local, utcnow
from evaluations import queries, services
from evaluations.curriculum import current_questionnaire
from evaluations.forms import initial_data, positionnement_form
from evaluations.scoring import ORIENTATION_DELEGATION, ORIENTATION_NIVEAU_3, ReponsesIncompletes
from extensions import db

positionnements_bp = Blueprint("positionnements", __name__, url_prefix="/positionnements")

WRITERS = ("admin", "mediateur")
READERS = ("admin", "mediateur", "direction")
NO_QUESTIONNAIRE = "Aucun questionnaire de positionnement n'est chargé : demandez à l'administrateur de le charger."


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def _heure(moment) -> str:
    """``14 h 05``: the moment on the clock of the signed-in account's structure."""
    return heure_fr(to_local(moment, structure_zone(current_user.structure)))


def _version(positionnement, apprenant) -> str:
    """The ``version`` field of a questionnaire page showing ``positionnement`` (None: no draft yet)."""
    return versions.jeton(services.instantane_brouillon(positionnement, apprenant))


def _draft_saved(positionnement):
    """Respond to a successful draft save: JSON for the autosave script, else back to the draft's page."""
    url = url_for("positionnements.questionnaire", positionnement_id=positionnement.id)
    saved_at = _heure(utcnow())
    message = f"Brouillon enregistré à {saved_at}."
    if _wants_json():
        return jsonify(
            saved=True,
            id=positionnement.id,
            url=url,
            saved_at=saved_at,
            message=message,
            version=_version(positionnement, positionnement.apprenant),
        )
    flash(message, "success")
    return redirect(url)


def _not_saved(form, message: str | None = None):
    """The autosave's answer when nothing could be saved: the errors by field, and one sentence to show."""
    errors = {name or "formulaire": list(messages) for name, messages in form.errors.items()}
    if message is None:
        details = [
            f"{form[name].label.text} : {messages[0]}" if name in form else messages[0]
            for name, messages in form.errors.items()
        ]
        message = "Brouillon non enregistré. " + " ".join(details)
    return jsonify(saved=False, message=message, errors=errors), 422


def _show_domain_error(form, error: DomainError) -> None:
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        form.form_errors.append(error.message)


def _modifie_entre_temps(
    form, conflit: versions.ModifieEntreTemps, *, action, apprenant, positionnement, questionnaire
):
    """A save refused because the draft changed since the page was opened: the changes, as JSON for the
    autosave, else the page with what was typed kept and the stored answers wherever nothing was changed."""
    saisi = services.saisie_a_plat(form.to_saisie())

    def donnees(valeurs):
        reponses = {k: v for k, v in valeurs.items() if k not in ("mode", *services.CONTACT)}
        return initial_data(
            SimpleNamespace(reponses=reponses, mode=valeurs.get("mode")),
            SimpleNamespace(
                disponibilites=valeurs.get("disponibilites") or 0, canal_prefere=valeurs.get("canal_prefere")
            ),
        )

    form, changements = reprendre(
        conflit,
        saisi,
        donnees,
        lambda data: positionnement_form(questionnaire, with_candidate=False, formdata=None, data=data),
        zone=structure_zone(current_user.structure),
    )
    if _wants_json():
        message = (
            "Brouillon non enregistré : " + " ; ".join(changements) + ". Cliquez sur « Enregistrer le brouillon »."
        )
        return jsonify(saved=False, message=message, changes=changements), 409
    page = render_template(
        "positionnements/questionnaire.html",
        form=form,
        action=action,
        apprenant=apprenant,
        positionnement=positionnement,
        questionnaire=questionnaire,
        candidates=(),
        missing=(),
        conflit=conflit,
        changements=changements,
    )
    return page, 409


def _render_form(form, *, action, apprenant=None, positionnement=None, questionnaire=None, **context):
    """The questionnaire page, filled with what was typed (or the autosave's refusal as JSON)."""
    if _wants_json():
        return _not_saved(form, context.get("json_message"))
    return render_template(
        "positionnements/questionnaire.html",
        form=form,
        action=action,
        apprenant=apprenant,
        positionnement=positionnement,
        questionnaire=questionnaire or positionnement.questionnaire,
        candidates=context.get("candidates", ()),
        missing=context.get("missing", ()),
        sans_disponibilite=context.get("sans_disponibilite", False),
    )


def _complete(form, positionnement, action):
    """Score the just-saved draft; missing answers come back beside their questions, the draft kept."""
    try:
        services.complete_positionnement(
            current_user,
            positionnement,
            structure_today(current_user.structure),
            confirm_sans_disponibilite=form.sans_disponibilite.data,
        )
    except core_services.SansDisponibilite as sans:
        db.session.commit()  # the draft is saved anyway: nothing typed is lost
        form.version.data = _version(positionnement, positionnement.apprenant)
        form.disponibilites.errors = [*form.disponibilites.errors, sans.message]
        return _render_form(
            form,
            action=action,
            apprenant=positionnement.apprenant,
            positionnement=positionnement,
            sans_disponibilite=True,
        )
    except ReponsesIncompletes as incomplete:
        db.session.commit()  # the draft is saved anyway: nothing typed is lost
        form.version.data = _version(positionnement, positionnement.apprenant)
        form.mark_missing(incomplete.codes)
        return _render_form(
            form,
            action=action,
            apprenant=positionnement.apprenant,
            positionnement=positionnement,
            missing=incomplete.codes,
        )
    db.session.commit()
    flash("Positionnement terminé.", "success")
    return redirect(url_for("positionnements.resultat", positionnement_id=positionnement.id))


def _start(form, apprenant, questionnaire_version, action):
    """Save the first answers of a placement (creating the candidate if need be), then complete or show it."""
    saisie = form.to_saisie()
    try:
        if apprenant is None:
            positionnement = services.start_with_new_candidate(
                current_user, form.identite(), questionnaire_version, saisie, form.confirmer_doublon.data
            )
        else:
            positionnement = services.start_positionnement(
                current_user, apprenant, questionnaire_version, saisie, vu=versions.lire(form.version.data)
            )
    except versions.ModifieEntreTemps as conflit:
        db.session.rollback()
        draft = queries.draft_of(apprenant.id)
        return _modifie_entre_temps(
            form,
            conflit,
            action=url_for("positionnements.questionnaire", positionnement_id=draft.id) if draft else action,
            apprenant=apprenant,
            positionnement=draft,
            questionnaire=draft.questionnaire if draft else questionnaire_version,
        )
    except core_services.PossibleDuplicate as duplicate:
        db.session.rollback()
        return _render_form(
            form,
            action=action,
            questionnaire=questionnaire_version,
            candidates=duplicate.candidates,
            json_message="Brouillon non enregistré : une personne semblable existe déjà. Cliquez sur "
            "« Enregistrer le brouillon » pour vérifier.",
        )
    except DomainError as error:
        db.session.rollback()
        _show_domain_error(form, error)
        return _render_form(form, action=action, apprenant=apprenant, questionnaire=questionnaire_version)
    if form.calculer.data:
        return _complete(
            form, positionnement, url_for("positionnements.questionnaire", positionnement_id=positionnement.id)
        )
    db.session.commit()
    return _draft_saved(positionnement)


@positionnements_bp.route("/nouveau", methods=["GET", "POST"])
@roles_required(*WRITERS)
def nouveau():
    """A new placement: for a new candidate, or for ``?apprenant_id=N`` (whose open draft is resumed)."""
    apprenant_id = id_or_none(request.args.get("apprenant_id"))
    if request.args.get("apprenant_id") and apprenant_id is None:
        abort(404)  # not an id: no such learner
    apprenant = get_in_structure_or_404(Apprenant, apprenant_id) if apprenant_id is not None else None
    if apprenant is not None:
        draft = queries.draft_of(apprenant.id)
        if draft is not None:
            if request.method == "POST":
                return questionnaire(draft.id)
            return redirect(url_for("positionnements.questionnaire", positionnement_id=draft.id))
    questionnaire_version = current_questionnaire()
    if questionnaire_version is None:
        flash(NO_QUESTIONNAIRE, "error")
        return redirect(url_for("main.index"))
    action = url_for("positionnements.nouveau", apprenant_id=apprenant_id)
    form = positionnement_form(
        questionnaire_version, with_candidate=apprenant is None, data=initial_data(apprenant=apprenant)
    )
    if request.method == "GET" and apprenant is not None:
        form.version.data = _version(None, apprenant)
    if form.validate_on_submit():
        return _start(form, apprenant, questionnaire_version, action)
    if request.method == "GET" and apprenant is not None:
        core_services.record_apprenant_view(current_user, apprenant.id, "positionnement")
        db.session.commit()
    return _render_form(form, action=action, apprenant=apprenant, questionnaire=questionnaire_version)


@positionnements_bp.route("/<int:positionnement_id>/questionnaire", methods=["GET", "POST"])
@roles_required(*WRITERS)
def questionnaire(positionnement_id: int):
    """A draft's questionnaire page: resume, save again, or complete it."""
    positionnement = queries.get_positionnement_or_404(positionnement_id, current_user.structure_id)
    result_url = url_for("positionnements.resultat", positionnement_id=positionnement.id)
    if not positionnement.is_brouillon:
        if _wants_json():
            return jsonify(saved=False, message=services.ALREADY_COMPLETE, url=result_url), 409
        flash("Ce positionnement est terminé : voici son résultat.", "info")
        return redirect(result_url)
    apprenant = positionnement.apprenant
    action = url_for("positionnements.questionnaire", positionnement_id=positionnement.id)
    form = positionnement_form(
        positionnement.questionnaire,
        with_candidate=False,
        data=initial_data(positionnement, apprenant),
    )
    if request.method == "GET":
        form.version.data = _version(positionnement, apprenant)
    if form.validate_on_submit():
        try:
            services.save_brouillon(current_user, positionnement, form.to_saisie(), vu=versions.lire(form.version.data))
        except versions.ModifieEntreTemps as conflit:
            db.session.rollback()
            return _modifie_entre_temps(
                form,
                conflit,
                action=action,
                apprenant=apprenant,
                positionnement=positionnement,
                questionnaire=positionnement.questionnaire,
            )
        except DomainError as error:
            db.session.rollback()
            _show_domain_error(form, error)
            return _render_form(form, action=action, apprenant=apprenant, positionnement=positionnement)
        if form.calculer.data:
            return _complete(form, positionnement, action)
        db.session.commit()
        return _draft_saved(positionnement)
    if request.method == "GET":
        services.record_positionnement_view(current_user, positionnement, "questionnaire")
        db.session.commit()
    return _render_form(form, action=action, apprenant=apprenant, positionnement=positionnement)


@positionnements_bp.get("/<int:positionnement_id>")
@roles_required(*READERS)
def resultat(positionnement_id: int):
    """The placement's score, niveau and reasons, and what follows for the person (read-only for direction)."""
    positionnement = queries.get_positionnement_or_404(positionnement_id, current_user.structure_id)
    services.record_positionnement_view(current_user, positionnement, "résultat")
    db.session.commit()
    return render_template(
        "positionnements/resultat.html",
        positionnement=positionnement,
        apprenant=positionnement.apprenant,
        resultat=queries.resultat_of(positionnement),
        delegation_message=ORIENTATION_DELEGATION,
        orientation=ORIENTATION_NIVEAU_3,
        statuts=STATUTS_ATTENTE,
        waiting_list_url=url_for("attente.liste"),
    )
