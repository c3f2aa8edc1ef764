"""Public figures, for anyone: the page and its CSV, both from ``uof.services.open_data.figures``."""

from __future__ import annotations

import csv
import io

from flask import Response, render_template
from flask_login import current_user

from uof.dashboards.charts import INLINE, BarChart, Row, bar_chart
from uof.domain.suppression import FEWER_THAN, THRESHOLD
from uof.public import bp
from uof.services import open_data
from uof.services.open_data import OpenData

MAX_AGE = 3600


def _reports_charts(data: OpenData) -> dict[str, BarChart]:
    """Per area, reports per month; a suppressed month is drawn empty and labelled as such."""
    charts = {}
    for table in data.tables:
        if table.measure.key == "reports":
            charts[table.area] = bar_chart(
                [Row(row.month.label, row.cells[0].published or 0, row.cells[0].text) for row in table.rows],
                layout=INLINE)
    return charts


def _public(response: Response) -> Response:
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response


def _page(response: Response) -> Response:
    """The page is cached publicly only for anonymous readers: a logged-in page names its user in the footer."""
    return response if current_user.is_authenticated else _public(response)


@bp.get("")
def index() -> Response:
    data = open_data.figures()
    page = render_template("public/index.html", data=data, charts=_reports_charts(data),
                           measures=open_data.measures(), dictionary=open_data.data_dictionary(),
                           threshold=THRESHOLD, fewer_than=FEWER_THAN)
    return _page(Response(page, mimetype="text/html"))


@bp.get("/open-data.csv")
def open_data_csv() -> Response:
    out = io.StringIO()
    csv.writer(out).writerows(open_data.figures().csv_rows())
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="use-of-force-open-data.csv"'
    return _public(response)
