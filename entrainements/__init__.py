"""Refresher practice after the workshop (entraînements): practice slots, each learner's plan, bookings made by
the scheduler, convocations and reminders (issue 10; DESIGN.md sections 1, 3 and 5)."""
