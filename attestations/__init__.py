"""End-of-course attestations: frozen snapshot, number and verification code, PDF, public verification."""
