"""Workshops: Atelier, Seance, Inscription, attendance, grouping, dropout, refreshers, dashboards."""
