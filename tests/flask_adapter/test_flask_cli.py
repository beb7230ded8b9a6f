"""``flask waffo …``: the standalone CLI's commands on the Flask app's own portal."""

from __future__ import annotations

import io

import flask
import pytest
from click.testing import Result
from pypdf import PdfReader

from waffo_portal import ConfigurationError, Portal
from waffo_portal.integrations.flask import WaffoPortal
from waffo_portal.testing import PortalKit, make_kit, seed_history

from .test_flask import make_app


@pytest.fixture
def kit() -> PortalKit:
    kit = make_kit()
    seed_history(kit)  # paid orders ord_1.. for render-invoice
    return kit


def invoke(app: flask.Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["waffo", *args])


def test_group_lists_the_standalone_commands_but_the_demo(kit: PortalKit) -> None:
    result = invoke(make_app(kit), "--help")
    assert result.exit_code == 0
    for command in ("apply-due", "worker", "create-login-link", "cancellation-report",
                    "render-invoice", "migrate", "sync"):
        assert f"  {command} " in result.output, command
    assert "demo" not in result.output


def test_apply_due_acts_on_the_apps_portal(kit: PortalKit) -> None:
    app = make_app(kit)
    assert invoke(app, "apply-due").output == "nothing was due\n"
    due = kit.subscription.current_period_end
    renewed = invoke(app, "apply-due", "--now", f"{due:%Y-%m-%d}T12:00:00")
    assert (renewed.exit_code, renewed.stdout) == (0, "renewed: 1\n")
    after = kit.store.get_subscription(kit.subscription.id)
    assert after is not None and after.current_period_end > due


def test_a_bad_argument_prints_the_usage_and_exits_2(kit: PortalKit) -> None:
    result = invoke(make_app(kit), "apply-due", "--now", "yesterday")
    assert result.exit_code == 2
    assert "usage: flask waffo apply-due" in result.stderr
    assert "'yesterday' is not a date (2026-01-31) nor an ISO 8601 time" in result.stderr
    unknown = invoke(make_app(kit), "cancellation-report", "--format", "xml")
    assert unknown.exit_code == 2 and "invalid choice: 'xml'" in unknown.stderr


def test_command_help_is_argparse_help_under_the_flask_name(kit: PortalKit) -> None:
    result = invoke(make_app(kit), "create-login-link", "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("usage: flask waffo create-login-link [-h]")


def test_create_login_link_and_an_unknown_buyer(kit: PortalKit) -> None:
    app = make_app(kit)
    link = invoke(app, "create-login-link", kit.buyer.id)
    assert link.exit_code == 0
    assert link.stdout.startswith("https://shop.example/billing/")
    missing = invoke(app, "create-login-link", "nobody")
    assert (missing.exit_code, missing.stderr) == (1, "error: buyer not found\n")


def test_render_invoice_of_an_order_and_an_unknown_order(kit: PortalKit) -> None:
    app = make_app(kit)
    pdf = invoke(app, "render-invoice", "--order", "ord_1", "--buyer", kit.buyer.id, "-o", "-")
    assert pdf.exit_code == 0, pdf.stderr
    assert pdf.stdout_bytes.startswith(b"%PDF")
    missing = invoke(app, "render-invoice", "--order", "ord_404", "--buyer", kit.buyer.id,
                     "-o", "-")
    assert (missing.exit_code, missing.stderr) == (1, "error: order not found\n")
    no_buyer = invoke(app, "render-invoice", "--order", "ord_1", "-o", "-")
    assert no_buyer.exit_code == 2
    assert no_buyer.stderr == ("error: --order needs --buyer BUYER_ID (the buyer the order "
                               "belongs to)\n")
    both = invoke(app, "render-invoice", "--order", "ord_1", "--demo", "-o", "-")
    assert both.exit_code == 2 and "not allowed with argument" in both.stderr


def test_render_invoice_demo_needs_no_order(kit: PortalKit) -> None:
    result = invoke(make_app(kit), "render-invoice", "--demo", "--locale", "de", "-o", "-")
    assert result.exit_code == 0
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(result.stdout_bytes)).pages)
    assert "Rechnung" in text


def test_sync_refuses_a_portal_without_waffo(kit: PortalKit) -> None:
    result = invoke(make_app(kit), "sync")
    assert result.exit_code == 2
    assert "waffo sync needs a portal whose provider is a WaffoProvider" in result.stderr


def test_portal_for_needs_no_app_context(kit: PortalKit) -> None:
    app = make_app(kit)
    portal = WaffoPortal.portal_for(app)  # e.g. in a cron script or a Celery task
    assert isinstance(portal, Portal) and portal.apply_due().total == 0
    with app.app_context():  # the recipe with an app context gives the same portal
        assert WaffoPortal(store=kit.store, mailer=kit.mailer).portal is portal


def test_portal_for_an_app_without_the_extension_names_it() -> None:
    with pytest.raises(ConfigurationError) as caught:
        WaffoPortal.portal_for(flask.Flask("shop"))
    assert str(caught.value) == ("WaffoPortal.init_app() was not called for the Flask app "
                                 "'shop': it has no portal")
