from uof.admin import bp


@bp.get("/policy")
def policy():
    return "policy"
