"""The OpenAPI 3.1 document served at /api/v1/openapi.json, built from the same vocabulary as validation."""

from __future__ import annotations

from functools import cache
from typing import Any

from uof.domain import vocabulary as v
from uof.domain.policy import LEVELS, PRESETS
from uof.domain.validation import BWV_REFERENCE_MAX, NARRATIVE_MAX, REFERENCE_MAX


def _enum(vocab: v.Vocabulary) -> dict[str, Any]:
    return {"type": "string", "enum": vocab.codes()}


def _codes(vocab: v.Vocabulary, min_items: int = 0) -> dict[str, Any]:
    return {"type": "array", "items": _enum(vocab), "minItems": min_items, "uniqueItems": True}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(*codes: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "string", "enum": list(codes)}, "message": {"type": "string"}},
    }}}}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


COMMON = {
    "401": {"description": "Not logged in", **_error("unauthenticated")},
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
        "status": {"type": "string", "enum": ["submitted", "under_review", "approved", "returned", "resubmitted"]},
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
            "reviews": {"type": "array", "items": {"type": "object"}},
        }}]},
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
