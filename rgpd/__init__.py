"""A learner's data through its life (DESIGN.md section 7, issue 13): export on request (JSON and PDF), erasure on
request, and the retention jobs (anonymise after the last contact, empty old message bodies, delete old journal
rows).

Sits beside ``pilotage``: it gathers and anonymises rows of every domain package (core, evaluations, ateliers,
entrainements, attestations), so it imports all of them and only ``app.py`` and ``scheduler.py`` import it.
"""
