"""The Gift Aid declaration wording, versioned so each declaration keeps what the donor saw."""

WORDING_VERSION = "2026-11-v1"


def declaration_parts(charity_name: str) -> tuple[str, str]:
    """The declaration the donor makes by ticking, and the tax statement shown with it."""
    return (
        f"I want to Gift Aid my donation and any donations I make in the future or have "
        f"made in the past 4 years to {charity_name}.",
        "I am a UK taxpayer and understand that if I pay less Income Tax and/or Capital "
        "Gains Tax in the current tax year than the amount of Gift Aid claimed on all my "
        "donations it is my responsibility to pay any difference.",
    )


def declaration_wording(charity_name: str) -> str:
    """The whole text as the donor saw it, stored with each declaration."""
    return " ".join(declaration_parts(charity_name))
