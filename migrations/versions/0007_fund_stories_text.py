"""the two funds' stories, drawn from the MS Trust article they come from (data only)

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COLUMNS = ("gift_buys", "who", "timescale", "promise", "source")

SOURCE = (
    "MS Trust, \u201cCould stem cell therapy work for progressive MS?\u201d, "
    "20 January 2016"
)


def promise(work: str) -> str:
    return (
        f"This is a restricted fund: your gift is spent only on {work}. If gifts pass the "
        "goal, what is over stays restricted to stem cell research for MS, and this page will "
        f"say where it went. If {work} cannot go ahead, we will write to you before using "
        "your gift for other stem cell research for MS, and refund it if you ask."
    )


# Copied here, not imported, so this revision stays as it was written whatever the code becomes.
STORIES = {
    "stem-cell-audit": {
        "story": (
            "Some people with MS in the UK are now offered autologous haematopoietic stem cell "
            "transplantation (AHSCT) as part of their care, outside a clinical trial. AHSCT "
            "uses a person\u2019s own blood stem cells: chemotherapy largely wipes out the "
            "immune system, and the stem cells are put back so that it rebuilds in a way that "
            "can slow or stop MS activity. It works best for people whose MS still has "
            "inflammation \u2013 active lesions on MRI scans, or relapses despite "
            "disease-modifying drugs \u2013 and it is a lengthy, sometimes painful and "
            "relatively risky procedure.\n\n"
            "This is the first audit of a real-world UK MS stem cell service run outside a "
            "clinical trial. From it, the researchers hope to learn how people with MS should "
            "be assessed and selected for stem cell treatment, and what safe, high-quality "
            "services need, so that the right people are offered AHSCT and those who will not "
            "benefit are spared it."
        ),
        "gift_buys": (
            "The audit itself: the researchers\u2019 time to gather and study what happened to "
            "the people the service assessed and treated \u2013 who was offered AHSCT, why, "
            "and how they fared \u2013 and to report what it shows."
        ),
        "who": "A research group in London, funded to carry out the audit of the service.",
        "timescale": (
            "The audit is under way. We will share what it finds on this page and by e-mail "
            "as soon as the researchers report."
        ),
        "promise": promise("this audit"),
        "source": SOURCE,
    },
    "actimus": {
        "story": (
            "ACTiMuS is a clinical trial of a stem cell therapy for people with progressive "
            "MS. It uses mesenchymal stem cells taken from the person\u2019s own bone marrow, "
            "from the hip, and returned to their bloodstream. The hope is that the cells "
            "protect nerve cells from damage and encourage the repair of damage already done.\n\n"
            "It works without chemotherapy, so it carries far fewer risks than AHSCT \u2013 "
            "and it matters because most people with progressive MS do not have the "
            "inflammation that AHSCT needs. A pilot study checked that the procedure is safe "
            "and went well; the trial is now testing the approach in more people with MS."
        ),
        "gift_buys": (
            "Running the trial: the care, tests and follow-up of the people taking part, and "
            "the analysis that will show whether the treatment works."
        ),
        "who": (
            "The clinical research team running the ACTiMuS trial, which the MS Trust helps to "
            "fund. The trial is already under way and is not looking for more participants."
        ),
        "timescale": (
            "The trial is in progress now. We will share its results on this page and by "
            "e-mail when the researchers publish them."
        ),
        "promise": promise("the ACTiMuS trial"),
        "source": SOURCE,
    },
}

funds = sa.table(
    "funds",
    sa.column("slug", sa.String),
    sa.column("story", sa.Text),
    *(sa.column(name, sa.Text) for name in COLUMNS),
)


def upgrade():
    for slug, values in STORIES.items():
        op.execute(funds.update().where(funds.c.slug == slug).values(**values))


def downgrade():
    blank = {name: "" for name in COLUMNS}
    op.execute(funds.update().where(funds.c.slug.in_(list(STORIES))).values(**blank))
