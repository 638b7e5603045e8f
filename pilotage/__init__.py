"""The director's and the coordination's view: indicators (pure, over plain rows), their SQL aggregates,
charts, exports (CSV/XLSX/ODS) and the annual report (DESIGN.md section 3). Imports everything below it;
nothing imports it but ``app.py``."""
