from tests.factories import report_body


def test_officer_submits_through_api(make, auth):
    make.team()
    make.user("pc.one@example.org", "officer", teams=("Birmingham Central A",), force_number="1234")
    assert auth.login("1234").status_code in (302, 303)
    response = auth.api_post("/api/v1/reports", report_body())
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["status"] == "submitted"
