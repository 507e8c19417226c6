"""The Gift Aid declaration wording, versioned so each declaration keeps what the donor saw."""

WORDING_VERSION = "2026-11-v1"


def declaration_wording(charity_name: str) -> str:
    return (
        f"I want to Gift Aid my donation and any donations I make in the future or have "
        f"made in the past 4 years to {charity_name}. I am a UK taxpayer and understand "
        f"that if I pay less Income Tax and/or Capital Gains Tax in the current tax year "
        f"than the amount of Gift Aid claimed on all my donations it is my responsibility "
        f"to pay any difference."
    )
