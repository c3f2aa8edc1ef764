"""The alert inbox over the API, and a test notification for the caller's own devices."""

from __future__ import annotations

from flask import abort, jsonify
from flask_login import current_user
from werkzeug.wrappers import Response

from uof.api import bp
from uof.api.push_routes import push_disabled
from uof.api.routes import error_response, json_body
from uof.api.serialize import alert_json
from uof.extensions import db, limiter
from uof.services import alerts, push


@bp.get("/alerts")
def list_alerts() -> Response:
    """The caller's inbox: unacknowledged first, newest first, with the number still to acknowledge."""
    return jsonify(alerts=[alert_json(alert) for alert in alerts.inbox(current_user)],
                   unacknowledged=alerts.unacknowledged_count(current_user))


@bp.post("/alerts/<int:alert_id>/ack")
def acknowledge_alert(alert_id: int) -> Response:
    """Acknowledge one of the caller's alerts with the action taken; only the first acknowledgement counts."""
    alert = alerts.mine(current_user, alert_id) or abort(404)
    body = json_body()
    if not isinstance(body, dict):
        return error_response(422, "validation", fields={"body": ["Expected a JSON object."]})
    unknown = sorted(str(key) for key in body if key != "action")
    if unknown:
        return error_response(422, "validation",
                              fields={key: ["Not a field of an acknowledgement."] for key in unknown})
    result = alerts.acknowledge(alert, current_user, body.get("action"))
    if result.outcome == alerts.ALREADY_ACKNOWLEDGED:
        db.session.rollback()
        return error_response(409, "already_acknowledged", message="This alert was already acknowledged.")
    if result.outcome == alerts.INVALID:
        db.session.rollback()
        return error_response(422, "validation", fields={"action": result.errors})
    db.session.commit()
    return jsonify(alert_json(alert))


def _caller() -> str:
    return f"user:{current_user.id}"


@bp.post("/push/test")
@limiter.limit("10 per hour", key_func=_caller)
def push_test() -> Response:
    """Raise a test alert for the caller; it goes to each of their devices after the commit, and to the inbox.

    503 while push is switched off: no device would get it, so none is claimed and no test alert is raised."""
    if not push.enabled():
        return push_disabled()
    alert = alerts.raise_test(current_user)
    devices = alerts.devices_of(current_user)
    db.session.commit()
    response = jsonify(alert_id=alert.id, devices=devices)
    response.status_code = 201
    return response
