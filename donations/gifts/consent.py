"""The words a donor agrees to when they ask for research updates, kept in versions: a
consent records the version it was given under, so the charity can show what was agreed."""

#: the donation form's tick box (unchanged since the form began)
FORM_WORDING = "form-1"
#: an offline gift's form, call or conversation, as staff recorded it
OFFLINE_WORDING = "offline-1"
#: the preferences page's own choice
PREFERENCES_WORDING = "preferences-1"

WORDINGS = {
    FORM_WORDING: "Yes, e-mail me news about this research and how my gift helps",
    OFFLINE_WORDING: "Agreed on a paper form, by phone or in person, and recorded by staff",
    PREFERENCES_WORDING: "Yes, e-mail me research updates about the funds I choose",
}
