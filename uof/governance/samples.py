"""Scrutiny samples for an external panel, for governance only: draw one, record the panel's grades, download
the anonymised panel pack and read the grading report. Every page, grade and download is audited; unknown
samples and items are 404."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from uof.dashboards.charts import Row, bar_chart
from uof.domain import scrutiny as rules
from uof.extensions import db
from uof.governance import bp
from uof.governance.disproportionality import long_date
from uof.governance.forms import DrawSampleForm, GradeForm, show_errors
from uof.models import ScrutinySample
from uof.security import roles_required
from uof.services import exports, figures, scrutiny

GOVERNANCE = "governance"


def _sample_or_404(sample_id: int) -> ScrutinySample:
    sample = scrutiny.get(sample_id)
    if sample is None:
        abort(404)
    return sample


def _grade_form(item_id: int, **kwargs: object) -> GradeForm:
    return GradeForm(prefix=f"item-{item_id}", **kwargs)


def _render_index(form: DrawSampleForm, error_links: list[dict[str, str]]) -> str:
    listed = scrutiny.listing()
    scrutiny.record_listing(current_user, len(listed))
    db.session.commit()
    return render_template("governance/samples/index.html", form=form, listed=listed, error_links=error_links,
                           quarter=exports.financial_quarter(exports.today_in_uk()), long_date=long_date,
                           status_labels=rules.STATUS_LABELS)


@bp.route("/governance/samples", methods=["GET", "POST"])
@roles_required(GOVERNANCE)
def samples_index() -> str | BaseResponse | tuple[str, int]:
    """The samples drawn so far and the form to draw a new one; a refused draw is a 400 with the errors."""
    form = DrawSampleForm(areas=figures.areas())
    if request.method == "GET":
        return _render_index(form, [])
    # CSRFProtect has checked the token of every POST before the view; the rules are the service's.
    try:
        sample = scrutiny.create(current_user, scrutiny.parse_request(form.answers(), exports.today_in_uk()))
    except scrutiny.RequestError as error:
        db.session.rollback()
        return _render_index(form, show_errors(form, error.errors)), 400
    drawn, population = len(sample.items), sample.population
    db.session.commit()
    flash(f"Sample drawn: {drawn} of the {population} report{'s' if population != 1 else ''} in the period, "
          f"with seed {sample.seed}.")
    return redirect(url_for("governance.sample_page", sample_id=sample.id), code=303)


def _render_sample(sample: ScrutinySample, failed: GradeForm | None = None, failed_item: int | None = None,
                   error_links: list[dict[str, str]] | None = None) -> str:
    scrutiny.record_view(sample, current_user, "sample")
    db.session.commit()
    items = scrutiny.panel_items(sample)
    forms = {
        each.item_id: failed if failed is not None and each.item_id == failed_item
        else _grade_form(each.item_id, formdata=None, data={"grade": each.grade, "feedback": each.feedback})
        for each in items
    }
    return render_template("governance/samples/sample.html", sample=sample, items=items, forms=forms,
                           summary=scrutiny.summary(sample.items), error_links=error_links or [],
                           long_date=long_date, rules=rules)


@bp.get("/governance/samples/<int:sample_id>")
@roles_required(GOVERNANCE)
def sample_page(sample_id: int) -> str:
    """The sampled reports as the panel sees them, each with its grading form, and the grades so far."""
    return _render_sample(_sample_or_404(sample_id))


@bp.post("/governance/samples/<int:sample_id>/items/<int:item_id>")
@roles_required(GOVERNANCE)
def grade_item(sample_id: int, item_id: int) -> BaseResponse | tuple[str, int]:
    """Record the panel's grade of one report; a refused grade re-renders the page with the errors (400)."""
    sample = _sample_or_404(sample_id)
    item = scrutiny.item_of(sample, item_id)
    if item is None:
        abort(404)
    form = _grade_form(item.id)
    number = item.position
    errors = scrutiny.grade(item, current_user, form.grade.data or None, form.feedback.data)
    if errors:
        db.session.rollback()
        links = show_errors(form, errors)
        return _render_sample(sample, form, item_id, links), 400
    grade = rules.GRADE_LABELS[item.grade or ""]
    db.session.commit()
    flash(f"Sample {number} graded {grade.lower()}.")
    return redirect(url_for("governance.sample_page", sample_id=sample_id, _anchor=f"sample-{number}"), code=303)


@bp.post("/governance/samples/<int:sample_id>/close")
@roles_required(GOVERNANCE)
def close_sample(sample_id: int) -> BaseResponse:
    """Make the sample's grading final."""
    sample = _sample_or_404(sample_id)
    closed = scrutiny.close(sample, current_user)
    db.session.commit()
    flash("The sample is closed: its grades are final." if closed else "The sample was already closed.")
    return redirect(url_for("governance.sample_page", sample_id=sample_id), code=303)


@bp.get("/governance/samples/<int:sample_id>.csv")
@roles_required(GOVERNANCE)
def sample_csv(sample_id: int) -> Response:
    """The anonymised panel pack: one row per sampled report, formula-safe, UTF-8 with a byte order mark."""
    sample = _sample_or_404(sample_id)
    text = scrutiny.csv_text(sample)
    scrutiny.record_export(sample, current_user)
    db.session.commit()
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="scrutiny-sample-{sample_id}.csv"'
    return response


@bp.get("/governance/samples/<int:sample_id>/report")
@roles_required(GOVERNANCE)
def sample_report(sample_id: int) -> str:
    """The grading report: the grades by number and share, overall and per type of force, and the feedback."""
    sample = _sample_or_404(sample_id)
    scrutiny.record_view(sample, current_user, "report")
    db.session.commit()
    summary = scrutiny.summary(sample.items)
    overall = summary.overall
    chart = bar_chart([Row(label, overall.counts[grade], f"{overall.counts[grade]} ({overall.share(grade):.0f}%)")
                       for grade, label in rules.GRADE_ROWS])
    feedback = [item for item in sample.items if item.feedback]
    return render_template("governance/samples/report.html", sample=sample, summary=summary, chart=chart,
                           feedback=feedback, long_date=long_date, rules=rules)
