"""Who may do what in the finance area: four roles, each a set of permissions."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    FINANCE = "finance"
    VIEWER = "viewer"
    #: writes the public pages (funds, appeals); sees no donor and no money screen
    EDITOR = "editor"


class Permission(StrEnum):
    #: the records list, a donation's money history, the dashboard, payouts
    VIEW_RECORDS = "view records"
    #: donors' names, addresses, e-mails and messages
    VIEW_PERSONAL_DATA = "view personal data"
    EXPORT = "export"
    REFUND = "refund"
    RECORD_OFFLINE_GIFTS = "record offline gifts"
    MODERATE = "moderate"
    CLAIM_GIFT_AID = "claim Gift Aid"
    ERASE_DONORS = "erase donors"
    #: join two records of one person
    MERGE_DONORS = "merge donors"
    READ_AUDIT_LOG = "read the audit log"
    MANAGE_STAFF = "manage staff"
    #: funds' and appeals' pages: stories, images, goals, dates, closing
    EDIT_PAGES = "edit pages"


ROLES = tuple(Role)

_FINANCE = {
    Permission.VIEW_RECORDS,
    Permission.VIEW_PERSONAL_DATA,
    Permission.EXPORT,
    Permission.REFUND,
    Permission.RECORD_OFFLINE_GIFTS,
    Permission.MODERATE,
    Permission.CLAIM_GIFT_AID,
    Permission.MERGE_DONORS,
}

GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.FINANCE: frozenset(_FINANCE),
    Role.VIEWER: frozenset({Permission.VIEW_RECORDS}),
    Role.EDITOR: frozenset({Permission.EDIT_PAGES}),
}


def may(role: str, permission: Permission) -> bool:
    try:
        return permission in GRANTS[Role(role)]
    except ValueError:
        return False
