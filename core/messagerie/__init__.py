"""Messages to learners (DESIGN.md section 5): the outbox (``core.models.Message``), how a message is put in it
(``depot``), and the channels that send it (email through SMTP, SMS behind a provider interface, letters printed
by the mediator)."""
