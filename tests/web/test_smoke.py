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


def test_navigation_lights_one_entry_on_the_pages_behind_the_menu(browser, mediatrice, atelier):
    """A workshop's page and a progress page belong to "Ateliers", the call page to "À rappeler" (the two entries
    share a blueprint: both used to light up)."""
    browser.login(mediatrice)
    inscription_id = atelier.inscriptions[0].id
    for url, entree in (
        (f"/ateliers/{atelier.id}", "Ateliers"),
        (f"/ateliers/inscriptions/{inscription_id}/progression", "Ateliers"),
        (f"/ateliers/inscriptions/{inscription_id}/suivi", "À rappeler"),
        ("/ateliers/seuils", "À rappeler"),
        (f"/apprenants/{atelier.inscriptions[0].apprenant_id}", "Apprenants"),
    ):
        html = browser.get(url).get_data(as_text=True)
        assert html.count('aria-current="page"') == 1, url
        assert f'aria-current="page">{entree}<' in html, url


def test_navigation_lights_comptes_alone_on_a_new_account_page(browser, make_compte):
    """The admin blueprint has three entries; the account form is behind "Comptes" only."""
    browser.login(make_compte("admin"))
    html = browser.get("/admin/comptes/nouveau").get_data(as_text=True)
    assert html.count('aria-current="page"') == 1
    assert 'aria-current="page">Comptes<' in html
