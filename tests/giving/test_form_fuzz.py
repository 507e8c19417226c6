"""Whatever arrives in the donation form, the answer is a redirect or a 400: never a 500."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import form_tokens

FIELDS = (
    "fund",
    "amount",
    "other_amount",
    "frequency",
    "title",
    "first_name",
    "last_name",
    "email",
    "gift_aid",
    "house",
    "address",
    "postcode",
    "overseas",
    "anonymous",
    "display_name",
    "message",
    "cover_fees",
    "marketing_consent",
    "form_token",
)

anything = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", "y", "other", "actimus", "25", "monthly", "\x00", "£"]),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.dictionaries(st.sampled_from(FIELDS), anything))
def test_no_form_input_makes_a_server_error(client, data):
    response = client.post("/donate", data={**form_tokens(client), **data})
    assert response.status_code in (303, 400), response.status_code
