"""The kinds of alert (the push payload's "type") and their severities."""

IMMEDIATE = "immediate"
PATTERN = "pattern"
WORKFLOW = "workflow"
DIGEST = "digest"
TEST = "test"
ALERT_KINDS = (IMMEDIATE, PATTERN, WORKFLOW, DIGEST, TEST)
INFO = "info"
WARNING = "warning"
CRITICAL = "critical"
SEVERITIES = (INFO, WARNING, CRITICAL)
