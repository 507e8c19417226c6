import pytest
from flask.testing import FlaskClient


class OwnContextClient(FlaskClient):
    """Each request in an application context of its own, as in production: its own `g`
    (where Flask-Login keeps the signed-in account and Flask-WTF the CSRF token) and its own
    database session. The test's own context would otherwise be shared by every request."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = OwnContextClient
    return app.test_client()
