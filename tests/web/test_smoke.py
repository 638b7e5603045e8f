def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_mediator_signs_in_and_sees_learner_list(browser, make_compte, make_apprenant):
    mediatrice = make_compte("mediateur")
    make_apprenant(prenom="Élodie", nom="Lefèvre")
    browser.login(mediatrice)
    page = browser.get("/apprenants/")
    assert page.status_code == 200
    assert "LEFÈVRE" in page.get_data(as_text=True)
