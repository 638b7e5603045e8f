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


def test_navigation_marks_only_the_current_entry(browser, make_compte):
    browser.login(make_compte("mediateur"))
    html = browser.get("/ateliers/a-rappeler").get_data(as_text=True)
    assert html.count('aria-current="page"') == 1
    assert 'aria-current="page">À rappeler<' in html
    listing = browser.get("/ateliers/").get_data(as_text=True)
    assert 'aria-current="page">Ateliers<' in listing and listing.count('aria-current="page"') == 1
