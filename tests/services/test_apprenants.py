import pytest
import sqlalchemy as sa

from core import services
from core.models import Apprenant, Journal
from core.queries import apprenants_statement, possible_duplicates
from core.text import normalize_phone
from extensions import db


def learner_data(**overrides):
    return {
        "prenom": "Élodie",
        "nom": "Lefèvre",
        "telephone": "+33612345678",
        "email": None,
        "adresse": None,
        "code_postal": "47300",
        "commune": "Bias",
        "tranche_age": "60_74",
        "disponibilites": 0b101,
        "canal_prefere": "telephone",
        **overrides,
    }


def journal_rows():
    return list(db.session.scalars(sa.select(Journal).order_by(Journal.id)))


def test_create_learner_in_author_structure_and_journal_it(make_compte, structure):
    mediatrice = make_compte("mediateur")
    apprenant = services.create_apprenant(mediatrice, learner_data())
    db.session.commit()
    assert apprenant.structure_id == structure.id
    assert apprenant.nom_recherche == "lefevre elodie"
    assert apprenant.last_contact_on is not None
    (entry,) = journal_rows()
    assert (entry.action, entry.objet, entry.objet_id, entry.compte_id) == (
        "creation",
        "apprenant",
        apprenant.id,
        mediatrice.id,
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"prenom": "elodie", "nom": "LEFEVRE", "telephone": None},  # same name, other spelling
        {"prenom": "Marie", "nom": "Durand"},  # same phone
        {"prenom": "Marie", "nom": "Durand", "telephone": None, "email": "e.lefevre@exemple.fr"},  # same email
    ],
)
def test_possible_duplicate_is_flagged_until_confirmed(make_compte, overrides):
    mediatrice = make_compte("mediateur")
    first = services.create_apprenant(mediatrice, learner_data(email="e.lefevre@exemple.fr"))
    db.session.commit()
    with pytest.raises(services.PossibleDuplicate) as raised:
        services.create_apprenant(mediatrice, learner_data(**overrides))
    assert raised.value.candidates == [first]
    assert raised.value.field == "confirmer_doublon"
    second = services.create_apprenant(mediatrice, learner_data(**overrides), confirm_duplicate=True)
    db.session.commit()
    assert second.id != first.id


def test_duplicates_are_looked_for_only_in_the_same_structure(make_compte, make_structure, make_apprenant):
    other = make_structure()
    make_apprenant(structure=other, prenom="Élodie", nom="Lefèvre", telephone="+33612345678")
    mediatrice = make_compte("mediateur")
    assert possible_duplicates(mediatrice.structure_id, learner_data()) == []


def test_update_journals_field_names_not_values(make_compte, make_apprenant):
    mediatrice = make_compte("mediateur")
    apprenant = make_apprenant(prenom="Élodie", nom="Lefèvre", telephone="+33612345678")
    changed = services.update_apprenant(
        mediatrice, apprenant, learner_data(commune="Villeneuve-sur-Lot", telephone="+33612345679")
    )
    db.session.commit()
    assert set(changed) >= {"commune", "telephone"}
    (entry,) = journal_rows()
    assert entry.action == "modification"
    assert "commune" in entry.details and "telephone" in entry.details
    assert "Villeneuve" not in entry.details and "612345679" not in entry.details


def test_update_without_change_writes_nothing(make_compte, make_apprenant):
    mediatrice = make_compte("mediateur")
    apprenant = make_apprenant(**learner_data())
    assert services.update_apprenant(mediatrice, apprenant, learner_data()) == []
    db.session.commit()
    assert journal_rows() == []


def test_search_by_name_ignores_accents_and_order(make_apprenant, structure):
    wanted = make_apprenant(prenom="Élodie", nom="Lefèvre")
    make_apprenant(prenom="Marc", nom="Durand")

    def search(query):
        return list(db.session.scalars(*apprenants_statement(structure.id, query)))

    assert search("lefevre") == [wanted]
    assert search("ELODIE lef") == [wanted]
    assert search("élodie") == [wanted]
    assert search("100%") == []


def test_search_by_phone_from_its_start_or_its_end(make_apprenant, structure):
    wanted = make_apprenant(telephone="+33612345678")
    make_apprenant(telephone="+33199006123")

    def search(query):
        return list(db.session.scalars(*apprenants_statement(structure.id, query)))

    assert search("06 12 34") == [wanted]
    assert search("+33 6 12 34 56 78") == [wanted]
    assert search("56 78") == [wanted]


def test_search_finds_overseas_numbers_whatever_form_is_typed(make_apprenant, structure):
    reunion = make_apprenant(telephone="+262692123456")
    spm = make_apprenant(telephone="+508412345")
    metropole = make_apprenant(telephone="+33612345678")

    def search(query):
        return list(db.session.scalars(*apprenants_statement(structure.id, query)))

    for typed in ("0692 12 34 56", "0692.12.34.56", "+262 692 12 34 56", "00262692123456", "+33 6 92 12 34 56"):
        assert search(typed) == [reunion], typed
    assert search("0692 12") == [reunion]
    assert search("06") == []  # too short: searched as a name
    assert set(search("06 12")) == {metropole}
    assert search("05 08 41 23 45") == [spm]
    assert search("41 23 45") == [spm]


def test_the_same_overseas_number_in_another_form_is_a_possible_duplicate(make_compte):
    mediatrice = make_compte("mediateur")
    first = services.create_apprenant(mediatrice, learner_data(telephone=normalize_phone("0692 12 34 56")))
    db.session.commit()
    with pytest.raises(services.PossibleDuplicate) as raised:
        services.create_apprenant(
            mediatrice, learner_data(prenom="Marie", nom="Durand", telephone=normalize_phone("+262 692 12 34 56"))
        )
    assert raised.value.candidates == [first]


def test_search_never_crosses_structures(make_apprenant, make_structure, structure):
    make_apprenant(structure=make_structure(), prenom="Élodie", nom="Lefèvre")
    assert list(db.session.scalars(*apprenants_statement(structure.id, "lefevre"))) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Apprenant)) == 1


def test_a_name_folding_longer_than_its_column_is_saved_found_and_flagged_as_duplicate(make_compte, structure):
    # Each "ﬃ" ligature (as copied from a PDF) folds to three letters: 60 of them fold to 180 characters,
    # more than the 170 of nom_recherche, although the name fits its own 80-character column.
    nom = "Abdelkader" + "ﬃ" * 60
    mediatrice = make_compte("mediateur")
    apprenant = services.create_apprenant(mediatrice, learner_data(prenom="Yasmine", nom=nom, telephone=None))
    db.session.commit()
    assert len(apprenant.nom_recherche) == 170 and apprenant.nom_recherche.startswith("abdelkaderffiffi")
    found = db.session.scalars(*apprenants_statement(structure.id, "abdelkaderffi")).all()
    assert found == [apprenant]
    with pytest.raises(services.PossibleDuplicate) as raised:
        services.create_apprenant(mediatrice, learner_data(prenom="Yasmine", nom=nom, telephone=None))
    assert raised.value.candidates == [apprenant]
    db.session.rollback()
