"""Images staff upload for funds, appeals and pages: checked, re-encoded, kept in the
database and served with long-lived caching."""

from flask import Flask, url_for

from donations.images.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.template_filter("srcset")
    def srcset(stored) -> str:
        """The `srcset` of a stored image: each width it is kept at."""
        return ", ".join(
            f"{url_for('images.serve', image_id=stored.id, width=v.width)} {v.width}w"
            for v in stored.variants
        )
