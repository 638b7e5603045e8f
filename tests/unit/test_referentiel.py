import pytest

from evaluations.referentiel import read_referentiel


def test_default_referentiel_has_six_modules_of_observable_skills():
    data = read_referentiel()
    modules = data["curriculum"]["modules"]
    assert [m["numero"] for m in modules] == [1, 2, 3, 4, 5, 6]
    assert [len(m["competences"]) for m in modules] == [4, 4, 4, 4, 4, 5]
    finales = [c for m in modules for c in m["competences"] if c.get("finale")]
    assert len(finales) == 1
    assert all(c["attestation"].startswith(("Je sais", "J'ai")) for m in modules for c in m["competences"])


def test_default_questionnaire_has_parts_a_to_d_with_b_and_c_scored():
    questionnaire = read_referentiel()["questionnaire"]
    parts = {p["code"]: p for p in questionnaire["parties"]}
    assert {"A", "B", "C", "D"} <= set(parts)
    assert [p["note"] for code, p in sorted(parts.items()) if code in "ABCD"] == [False, True, True, False]
    assert len(parts["B"]["questions"]) == 7
    assert len(parts["C"]["questions"]) == 4
    assert all("telephone" in q for q in parts["C"]["questions"])
    # practical items weigh more than self-assessment, and less by phone than face to face
    assert questionnaire["poids_pratique_presentiel"] > questionnaire["poids_auto_evaluation"]
    assert questionnaire["poids_pratique_telephone"] < questionnaire["poids_pratique_presentiel"]
    reperes = {q.get("repere") for code in "BC" for q in parts[code]["questions"]}
    assert {"souris", "clavier", "piece_jointe"} <= reperes


def test_a_file_missing_a_module_is_refused(tmp_path):
    text = (read_referentiel.__globals__["DEFAULT_FILE"]).read_text(encoding="utf-8")
    broken = tmp_path / "referentiel.toml"
    broken.write_text(text.replace("numero = 6", "numero = 7"), encoding="utf-8")
    with pytest.raises(ValueError, match="modules 1 à 6"):
        read_referentiel(broken)
