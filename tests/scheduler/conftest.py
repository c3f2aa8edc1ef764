"""The scheduler tests use the alert rule tests' small force."""

from tests.alerts.conftest import force  # noqa: F401  (a fixture, found by name)
