"""The outbox screens: messages to send, sent, failed, by channel; resend; SMS and letters marked sent by hand."""

from __future__ import annotations

from flask import Blueprint

messages_bp = Blueprint("messages", __name__, url_prefix="/messages")
