"""Web Push over the API: the server's public key, and registering or forgetting this browser's subscription."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user
from werkzeug.wrappers import Response

from uof.api import bp
from uof.api.routes import error_response, json_body
from uof.domain.validation import format_datetime
from uof.extensions import db, limiter
from uof.services import push

PUSH_DISABLED_MESSAGE = ("Notifications are not available on this server; alerts still appear in the inbox.")


def _caller() -> str:
    return f"user:{current_user.id}"


def push_disabled() -> Response:
    """503 for a push call while push is switched off (no UOF_VAPID_SUBJECT, or no VAPID key in production)."""
    return error_response(503, "push_disabled", message=PUSH_DISABLED_MESSAGE)


@bp.get("/push/key")
def push_key() -> Response:
    """The VAPID public key, for ``pushManager.subscribe({applicationServerKey})``; 503 if push is off."""
    if not push.enabled():
        return push_disabled()
    try:
        key = push.public_key()
    except push.PushDisabled:
        return push_disabled()
    return jsonify(public_key=key)


@bp.post("/push/subscriptions")
@limiter.limit("30 per hour", key_func=_caller)
def push_subscribe() -> Response:
    """Register this browser for the caller's alerts: 201, new or again (``already_registered`` says which)."""
    if not push.enabled():
        return push_disabled()
    result = push.subscribe(current_user, json_body(), request.user_agent.string)
    if result.subscription is None:
        db.session.rollback()
        return error_response(422, "validation", fields=result.errors)
    subscription = result.subscription
    db.session.commit()
    response = jsonify(id=subscription.id, endpoint_hash=subscription.endpoint_hash,
                       created_at=format_datetime(subscription.created_at), already_registered=not result.created)
    response.status_code = 201
    return response


@bp.delete("/push/subscriptions")
def push_unsubscribe() -> Response:
    """Forget this browser's subscription, if it is the caller's: 200 ``{"deleted": true|false}`` either way."""
    body = json_body()
    if not isinstance(body, dict):
        return error_response(422, "validation", fields={"body": ['Expected a JSON object: {"endpoint": "…"}.']})
    # The whole PushSubscription.toJSON() will do too: only its endpoint matters here.
    unknown = sorted(str(key) for key in body if key not in ("endpoint", "keys", "expirationTime"))
    if unknown:
        return error_response(422, "validation",
                              fields={key: ["Not a field of a push subscription."] for key in unknown})
    result = push.unsubscribe(current_user, body.get("endpoint"))
    if result.errors:
        db.session.rollback()
        return error_response(422, "validation", fields=result.errors)
    db.session.commit()
    return jsonify(deleted=result.deleted)
