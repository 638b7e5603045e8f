"""Data-protection pages: the learners' information notice (PDF), the register entry, the admin's DPO setting.

Views registered on the core blueprints (``core.routes``); four beats each: parse, call, commit, respond.
"""

from __future__ import annotations

from types import SimpleNamespace

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from core import dpo, information, versions
from core.access import roles_required
from core.errors import DomainError
from core.forms import DpoForm, reprendre
from core.routes import REGISTER_READERS, admin_bp, apprenants_bp
from core.timeutil import structure_today, structure_zone
from extensions import db

REGISTRE_READERS = ("admin", "direction")


@apprenants_bp.get("/mention-information.pdf")
@roles_required(*REGISTER_READERS)
def mention_information():
    """The information notice of the signed-in account's structure, one A4 page to print and hand over."""
    from core import mention_pdf  # PDF stack loaded on first use

    fiche = information.Fiche.of(current_user.structure)
    contenu = mention_pdf.render_mention(fiche, information.mention_information(fiche))
    response = Response(contenu, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="mention-information.pdf"'
    return response


@admin_bp.get("/registre-traitement")
@roles_required(*REGISTRE_READERS)
def registre_traitement():
    """The structure's entry in the register of processing activities (article 30), printable."""
    structure = current_user.structure
    fiche = information.Fiche.of(structure)
    sections = information.registre_traitement(fiche, structure_today(structure), current_app.config["BACKUP_KEEP"])
    return render_template("admin/registre.html", fiche=fiche, sections=sections, titre=information.TRAITEMENT)


@admin_bp.route("/protection-des-donnees", methods=["GET", "POST"])
@roles_required("admin")
def protection_donnees():
    structure = current_user.structure
    form = DpoForm(data=DpoForm.initial_data(structure))
    conflit = changements = None
    if not form.is_submitted():
        form.version.data = versions.jeton(dpo.instantane_dpo(structure))
    if form.validate_on_submit():
        data = form.to_data()
        try:
            changed = dpo.modifier_dpo(current_user, structure, data, vu=versions.lire(form.version.data))
        except versions.ModifieEntreTemps as erreur:
            db.session.rollback()
            structure, conflit = current_user.structure, erreur
            form, changements = reprendre(
                conflit,
                data,
                lambda valeurs: DpoForm.initial_data(SimpleNamespace(**valeurs)),
                lambda valeurs: DpoForm(formdata=None, data=valeurs),
                zone=structure_zone(structure),
            )
        except DomainError as error:
            db.session.rollback()
            (getattr(form, error.field).errors if error.field else form.dpo_nom.errors).append(error.message)
        else:
            db.session.commit()
            flash("Délégué à la protection des données enregistré." if changed else "Aucune modification.", "success")
            return redirect(url_for("admin.protection_donnees"))
    page = render_template(
        "admin/protection_donnees.html",
        form=form,
        structure=structure,
        fiche=information.Fiche.of(structure),
        conflit=conflit,
        changements=changements,
    )
    return page, 409 if conflit else 200
