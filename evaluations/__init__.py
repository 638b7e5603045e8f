"""Curriculum, placement questionnaire, skill judgements and (later) attestations."""
