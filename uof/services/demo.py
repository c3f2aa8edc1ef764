def seed() -> bool:
    return False


def logins_text() -> str:
    return ""
