from flask_wtf import FlaskForm
from wtforms import TextAreaField

from uof.services.alerts import ACTION_MAX_LENGTH


class AcknowledgeForm(FlaskForm):
    """Carries the action and the CSRF token; the rules for the action are the service's, as for the API."""

    action = TextAreaField(
        "Action taken",
        description=f"What you did or decided, for example a conversation with the officer. "
                    f"At most {ACTION_MAX_LENGTH:,} characters.",
    )
