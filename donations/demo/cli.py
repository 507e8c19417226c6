import time

import click
from flask import Blueprint, current_app

from donations.demo.services import generate
from donations.transaction import commit

cli = Blueprint("demo_cli", __name__, cli_group="demo")


@cli.cli.command("generate")
@click.option("--donations", "count", type=click.IntRange(1, 10_000_000), required=True)
@click.option("--seed", type=int, default=1, help="The same seed makes the same donations.")
def generate_command(count: int, seed: int):
    """Bulk-insert synthetic donations (for benchmarks); never in production."""
    if current_app.config["DONATIONS_ENV"] == "production":
        raise click.ClickException("demo data is never generated in production.")
    started = time.perf_counter()
    generate(count, seed, current_app.config["CHARITY_NAME"])
    commit()
    click.echo(f"Generated {count:,} donations in {time.perf_counter() - started:.1f} s.")
