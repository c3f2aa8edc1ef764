"""The OpenAPI 3.1 document served at /api/v1/openapi.json, built from the same vocabulary as validation."""

from __future__ import annotations

from functools import cache
from typing import Any

from uof.domain import review as review_rules
from uof.domain import vocabulary as v
from uof.domain.alert_kinds import ALERT_KINDS, SEVERITIES
from uof.domain.policy import LEVELS, PRESETS
from uof.domain.review import DECISIONS
from uof.domain.validation import BWV_REFERENCE_MAX, NARRATIVE_MAX, REFERENCE_MAX
from uof.models import STATUSES
from uof.services.alerts import ACTION_MAX_LENGTH


def _enum(vocab: v.Vocabulary) -> dict[str, Any]:
    return {"type": "string", "enum": vocab.codes()}


def _codes(vocab: v.Vocabulary, min_items: int = 0) -> dict[str, Any]:
    return {"type": "array", "items": _enum(vocab), "minItems": min_items, "uniqueItems": True}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(*codes: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "string", "enum": list(codes)}, "message": {"type": "string"},
                       "request_id": {"type": "string", "description": "The id of the request in the server's logs"}},
    }}}}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


COMMON = {
    "401": {"description": "Not logged in", **_error("unauthenticated")},
    "503": {"description": "The database did not answer; try again after Retry-After seconds (the same "
                           "client_id never makes a second report)", **_error("unavailable")},
}
# Push switched off on this server (production without UOF_VAPID_SUBJECT or without a VAPID key made ahead of
# time): alerts still reach the inbox.
PUSH_DISABLED = {
    "503": {"description": "Push notifications are switched off on this server (alerts still reach the inbox), "
                           "or the database did not answer", **_error("push_disabled", "unavailable")},
}
STATE_CHANGING = {
    "400": {"description": "Malformed JSON or missing or stale CSRF token", **_error("bad_json", "csrf")},
    "413": {"description": "Body too large", **_error("too_large")},
}


def _report_body() -> dict[str, Any]:
    yes_no = {"type": "boolean"}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["client_id", "incident_at", "incident_reference", "locations", "subject", "conduct",
                     "reasons", "tactics", "officer_injury", "subject_injury", "outcomes", "single_crewed",
                     "ced_trained", "ced_carried", "bwv"],
        "properties": {
            "client_id": {"type": "string", "format": "uuid", "description": "Made on the device."},
            "incident_at": {"type": "string", "format": "date-time"},
            "incident_reference": {"type": "string", "minLength": 1, "maxLength": REFERENCE_MAX},
            "area": {"type": ["string", "null"]},
            "locations": _codes(v.LOCATIONS, 1),
            "subject": {
                "type": "object", "additionalProperties": False,
                "required": ["age_band", "gender", "ethnicity", "health_condition"],
                "properties": {"age_band": _enum(v.AGE_BANDS), "gender": _enum(v.GENDERS),
                               "ethnicity": _enum(v.ETHNICITIES), "health_condition": _enum(v.HEALTH_CONDITIONS)},
            },
            "conduct": _enum(v.CONDUCT),
            "impact_factors": _codes(v.IMPACT_FACTORS),
            "reasons": _codes(v.REASONS, 1),
            "tactics": {"type": "array", "minItems": 1, "items": {
                "type": "object", "additionalProperties": False, "required": ["code", "effective"],
                "properties": {"code": _enum(v.TACTICS), "effective": yes_no},
            }},
            "officer_injury": {
                "type": "object", "additionalProperties": False,
                "required": ["injured", "intentional_assault", "level"],
                "properties": {"injured": yes_no, "intentional_assault": yes_no,
                               "level": _enum(v.OFFICER_INJURY_LEVELS)},
            },
            "subject_injury": {
                "type": "object", "additionalProperties": False,
                "required": ["injured", "level", "medical_assistance"],
                "properties": {"injured": yes_no, "level": _enum(v.SUBJECT_INJURY_LEVELS),
                               "medical_assistance": _enum(v.MEDICAL_ASSISTANCE)},
            },
            "outcomes": _codes(v.OUTCOMES, 1),
            "single_crewed": yes_no,
            "ced_trained": yes_no,
            "ced_carried": yes_no,
            "bwv": {
                "type": "object", "additionalProperties": False,
                "required": ["worn", "recording", "viewed_before_account"],
                "properties": {"worn": yes_no, "recording": yes_no,
                               "reference": {"type": ["string", "null"], "maxLength": BWV_REFERENCE_MAX},
                               "viewed_before_account": yes_no},
            },
            "narrative": {"type": ["string", "null"], "maxLength": NARRATIVE_MAX},
        },
    }


def _schemas() -> dict[str, Any]:
    summary_props = {
        "id": {"type": "integer"}, "reference": {"type": "string"}, "client_id": {"type": "string"},
        "status": {"type": "string", "enum": list(STATUSES)},
        "version": {"type": "integer"}, "policy_version": {"type": "integer"},
        "incident_at": {"type": "string", "format": "date-time"}, "incident_reference": {"type": "string"},
        "submitted_at": {"type": "string", "format": "date-time"}, "url": {"type": "string"},
    }
    return {
        "ReportBody": _report_body(),
        "ReportSummary": {"type": "object", "required": list(summary_props), "properties": summary_props},
        "Submitted": {"allOf": [_ref("ReportSummary"), {"type": "object", "properties": {
            "warnings": {"type": "array", "items": {"type": "string"}}}}]},
        "Report": {"allOf": [_ref("ReportSummary"), {"type": "object", "properties": {
            "officer": {"type": "object"}, "team": {"type": ["string", "null"]},
            "versions": {"type": "array", "items": {"type": "object", "properties": {
                "version": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"},
                "author_id": {"type": "integer"}, "reason": {"type": ["string", "null"]},
                "diff": {"type": ["object", "null"]}}}},
            "reviews": {"type": "array", "items": _ref("Review"), "description": "Oldest first"},
        }}]},
        "Review": _review(),
        "ValidationError": {"type": "object", "required": ["error", "fields"], "properties": {
            "error": {"const": "validation"},
            "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        }},
        "Policy": {"type": "object", "required": ["version", "preset", "tactics"], "properties": {
            "version": {"type": "integer"}, "preset": {"type": "string", "enum": list(PRESETS)},
            "tactics": {"type": "object", "additionalProperties": {"type": "string", "enum": list(LEVELS)}},
        }},
    }


def _unprocessable(*extra: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"oneOf": [_ref("ValidationError")]}
    if extra:
        schema["oneOf"].append({"type": "object", "required": ["error"], "properties": {
            "error": {"type": "string", "enum": list(extra)}, "message": {"type": "string"}}})
    return _json(schema, "Invalid content")


def _review() -> dict[str, Any]:
    props = {
        "id": {"type": "integer"}, "decision": {"type": "string", "enum": list(DECISIONS)},
        "comment": {"type": ["string", "null"]}, "bwv_reviewed": {"type": "boolean"},
        "bwv_reference": {"type": ["string", "null"]}, "debrief_held": {"type": "boolean"},
        "report_version": {"type": "integer", "description": "The version of the report decided on"},
        "reviewer": {"type": "object", "required": ["id", "name"],
                     "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
        "created_at": {"type": "string", "format": "date-time"},
    }
    return {"type": "object", "required": list(props), "properties": props}


def _review_paths(report_id: list[dict[str, Any]], csrf: list[dict[str, Any]],
                  not_found: dict[str, Any]) -> dict[str, Any]:
    """A supervisor's decision on a report of their team (API.md; bwv_reference and debrief_held extend it)."""
    body = {
        "type": "object", "required": ["decision", "bwv_reviewed"], "additionalProperties": False,
        "properties": {
            "decision": {"type": "string", "enum": list(DECISIONS)},
            "comment": {"type": ["string", "null"], "maxLength": review_rules.COMMENT_MAX,
                        "description": "Required to return or refer: what to amend, or why it is referred."},
            "bwv_reviewed": {"type": "boolean"},
            "bwv_reference": {"type": ["string", "null"], "maxLength": review_rules.BWV_REFERENCE_MAX,
                              "description": "The footage reviewed; required when bwv_reviewed is true and the "
                                             "report says the camera was recording, refused when it is false."},
            "debrief_held": {"type": "boolean", "default": False},
        },
    }
    return {"/reports/{report_id}/review": {"post": {
        "summary": "Approve, return or refer a report waiting for review (a supervisor of the officer's team, "
                   "never the report's own officer)",
        "parameters": report_id + csrf,
        "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
        "responses": {
            "201": _json(_ref("Report"), "The decided report, with its review history"),
            "403": {"description": "May see the report but not review it", **_error("forbidden")},
            "409": {"description": "Not waiting for review", **_error("not_awaiting_review")},
            "422": _unprocessable(),
            **not_found, **COMMON, **STATE_CHANGING}}}}


def _alert_paths(csrf: list[dict[str, Any]]) -> dict[str, Any]:
    """The alert inbox, acknowledging an alert, and the test notification (an extension of API.md)."""
    stamp = {"type": ["string", "null"], "format": "date-time"}
    alert = {"type": "object", "required": ["id", "kind", "rule", "severity", "title", "created_at", "read_at",
                                            "acknowledged_at", "action_taken", "status", "url", "report_id"],
             "properties": {
                 "id": {"type": "integer"}, "kind": {"type": "string", "enum": list(ALERT_KINDS)},
                 "rule": {"type": "string"}, "severity": {"type": "string", "enum": list(SEVERITIES)},
                 "title": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
                 "read_at": stamp, "acknowledged_at": stamp, "action_taken": {"type": ["string", "null"]},
                 "status": {"type": "string", "enum": ["pending", "sent", "failed", "inbox"],
                            "description": "Delivery to the recipient's devices; inbox means none to deliver to."},
                 "url": {"type": "string", "description": "The alert's page, /alerts/{id} (needs a login)."},
                 "report_id": {"type": ["integer", "null"]}}}
    alert_id = [{"name": "alert_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
    return {
        "/alerts": {"get": {"summary": "The caller's alerts, unacknowledged first, newest first", "responses": {
            "200": _json({"type": "object", "required": ["alerts", "unacknowledged"], "properties": {
                "alerts": {"type": "array", "items": alert}, "unacknowledged": {"type": "integer"}}}, "The inbox"),
            **COMMON}}},
        "/alerts/{alert_id}/ack": {"post": {
            "summary": "Acknowledge one of the caller's alerts with the action taken", "parameters": alert_id + csrf,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["action"], "additionalProperties": False,
                "properties": {"action": {"type": "string", "minLength": 1, "maxLength": ACTION_MAX_LENGTH}}}}}},
            "responses": {
                "200": _json(alert, "The acknowledged alert"),
                "404": {"description": "No such alert, or not the caller's", **_error("not_found")},
                "409": {"description": "Already acknowledged", **_error("already_acknowledged")},
                "422": _unprocessable(),
                **COMMON, **STATE_CHANGING}}},
        "/push/test": {"post": {
            "summary": "Raise a test alert for the caller, sent to each of their devices and shown in the inbox",
            "parameters": csrf,
            "responses": {
                "201": _json({"type": "object", "required": ["alert_id", "devices"], "properties": {
                    "alert_id": {"type": "integer"},
                    "devices": {"type": "integer", "description": "Subscribed devices it is being sent to"}}},
                    "Raised"),
                "429": {"description": "Too many tests", **_error("rate_limited")},
                **COMMON, **PUSH_DISABLED, **STATE_CHANGING}}},
    }


def _push_paths(csrf: list[dict[str, Any]]) -> dict[str, Any]:
    """Web Push: the VAPID public key and this browser's subscription."""
    b64url = {"type": "string", "pattern": "^[A-Za-z0-9_-]+=*$"}
    subscription = {
        "type": "object", "required": ["endpoint", "keys"], "additionalProperties": False,
        "description": "PushSubscription.toJSON(); the endpoint must be an allowed push service "
                       "(UOF_PUSH_ALLOWED_HOSTS) over HTTPS.",
        "properties": {
            "endpoint": {"type": "string", "format": "uri", "maxLength": 2048},
            "expirationTime": {"type": ["number", "null"]},
            "keys": {"type": "object", "required": ["p256dh", "auth"], "additionalProperties": False,
                     "properties": {
                         "p256dh": {**b64url, "description": "The browser's P-256 public key (65 bytes)."},
                         "auth": {**b64url, "description": "The 16-byte authentication secret."}}},
        },
    }
    registered = {"type": "object", "required": ["id", "endpoint_hash", "created_at", "already_registered"],
                  "properties": {
                      "id": {"type": "integer"},
                      "endpoint_hash": {"type": "string", "description": "SHA-256 of the endpoint"},
                      "created_at": {"type": "string", "format": "date-time"},
                      "already_registered": {"type": "boolean", "description": "true when this browser was "
                                             "already registered, unchanged, for the caller"}}}
    return {
        "/push/key": {"get": {"summary": "The VAPID public key (applicationServerKey)", "responses": {
            "200": _json({"type": "object", "required": ["public_key"], "properties": {
                "public_key": {**b64url, "description": "base64url of the uncompressed P-256 point"}}},
                "The key"),
            **COMMON, **PUSH_DISABLED}}},
        "/push/subscriptions": {
            "post": {
                "summary": "Register this browser for the caller's alerts (moves it from another user on a "
                           "shared device)",
                "parameters": csrf,
                "requestBody": {"required": True, "content": {"application/json": {"schema": subscription}}},
                "responses": {
                    "201": _json(registered, "Registered (again, if already_registered)"),
                    "422": _unprocessable(),
                    "429": {"description": "Too many registrations", **_error("rate_limited")},
                    **COMMON, **PUSH_DISABLED, **STATE_CHANGING}},
            "delete": {
                "summary": "Forget this browser's subscription if it is the caller's (idempotent)",
                "parameters": csrf,
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["endpoint"],
                    "properties": {"endpoint": {"type": "string", "maxLength": 2048}}}}}},
                "responses": {"200": _json({"type": "object", "required": ["deleted"], "properties": {
                                  "deleted": {"type": "boolean", "description": "false when no device of the "
                                              "caller's had this endpoint"}}},
                                  "Forgotten, or was never the caller's"),
                              "422": _unprocessable(), **COMMON, **STATE_CHANGING}},
        },
    }


@cache
def document() -> dict[str, Any]:
    report_id = [{"name": "report_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
    csrf = [{"name": "X-CSRFToken", "in": "header", "required": True, "schema": {"type": "string"}}]
    not_found = {"404": {"description": "No such report, or not yours to see", **_error("not_found")}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "uof", "version": "1",
                 "description": "Use-of-force recording. Codes are those of the national vocabulary."},
        "servers": [{"url": "/api/v1"}],
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"session": {
                "type": "apiKey", "in": "cookie", "name": "uof",
                "description": "The login session cookie, named __Host-uof when UOF_ENV=production.",
            }},
        },
        "security": [{"session": []}],
        "paths": {
            **_alert_paths(csrf),
            **_review_paths(report_id, csrf, not_found),
            **_push_paths(csrf),
            "/openapi.json": {"get": {"summary": "This document", "security": [],
                                      "responses": {"200": {"description": "OpenAPI document"}}}},
            "/session": {"get": {"summary": "The logged-in user and a fresh CSRF token", "responses": {
                "200": _json({"type": "object", "required": ["user", "csrf_token"], "properties": {
                    "user": {"type": "object", "required": ["id", "name", "roles", "teams"]},
                    "csrf_token": {"type": "string"}}}, "The session"),
                **COMMON}}},
            "/form": {"get": {"summary": "Vocabularies and the active recording policy", "responses": {
                "200": _json({"type": "object", "required": ["policy", "vocabularies"], "properties": {
                    "policy": _ref("Policy"),
                    "vocabularies": {"type": "object", "additionalProperties": {
                        "type": "object", "additionalProperties": {"type": "string"}}},
                    "areas": {"type": "array", "items": {"type": "string"}}}}, "Form configuration"),
                **COMMON}}},
            "/reports": {
                "get": {"summary": "The caller's own reports, newest first",
                        "parameters": [{"name": "mine", "in": "query", "schema": {"type": "string", "enum": ["1"]}}],
                        "responses": {"200": _json({"type": "object", "properties": {
                            "reports": {"type": "array", "items": _ref("ReportSummary")}}}, "Reports"),
                            "400": {"description": "Unsupported filter", **_error("bad_request")}, **COMMON}},
                "post": {"summary": "Submit one report", "parameters": csrf,
                         "requestBody": {"required": True, "content": {"application/json": {
                             "schema": _ref("ReportBody")}}},
                         "responses": {
                             "201": _json(_ref("Submitted"), "Created"),
                             "200": _json(_ref("Submitted"), "Already received (same client_id and content)"),
                             "403": {"description": "Not an officer", **_error("forbidden")},
                             "422": _unprocessable("idempotency_conflict"),
                             **COMMON, **STATE_CHANGING}},
            },
            "/reports/{report_id}": {"get": {
                "summary": "One report with its versions and review history", "parameters": report_id,
                "responses": {"200": _json(_ref("Report"), "The report"), **not_found, **COMMON}}},
            "/reports/{report_id}/amendments": {"post": {
                "summary": "Amend a report returned for amendment (its officer)", "parameters": report_id + csrf,
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["reason", "changes"], "additionalProperties": False,
                    "properties": {"reason": {"type": "string", "minLength": 1},
                                   "changes": {"type": "object", "description": "A partial report"}}}}}},
                "responses": {
                    "201": _json(_ref("Report"), "The new version"),
                    "403": {"description": "Not the report's officer", **_error("forbidden")},
                    "409": {"description": "Not returned for amendment", **_error("not_returned")},
                    "422": _unprocessable(),
                    **not_found, **COMMON, **STATE_CHANGING}}},
        },
    }
