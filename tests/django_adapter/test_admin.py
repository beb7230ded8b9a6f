"""The read-only admin: every table lists, nothing can be added, changed or deleted, and
"send login link" emails buyers through the portal's facade."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client, override_settings

from waffo_portal.integrations.django import models
from waffo_portal.integrations.django.store import DjangoStore
from waffo_portal.testing import PortalKit, make_kit, seed_history

from ..django_settings import BASE_PORTAL_SETTINGS, clear_tables

TABLES = ("buyer", "subscription", "order", "payment", "invoice", "auditevent",
          "webhookdelivery")


@pytest.fixture
def kit() -> Iterator[PortalKit]:
    clear_tables()
    kit = make_kit(DjangoStore())  # the admin shows the ORM store's rows
    seed_history(kit)
    models.WebhookDelivery.objects.create(source="waffo", delivery_id="evt_1",
                                          event_type="order.paid",
                                          received_at=datetime(2026, 1, 2, tzinfo=UTC))
    settings = {**BASE_PORTAL_SETTINGS, "MAILER": kit.mailer, "CLOCK": kit.clock}
    with override_settings(WAFFO_PORTAL=settings):
        yield kit
    clear_tables()


@pytest.fixture
def admin_client() -> Iterator[Client]:
    User.objects.filter(username="admin").delete()
    user = User.objects.create_superuser("admin", "admin@shop.example", "secret-password")
    client = Client()
    client.force_login(user)
    yield client
    user.delete()


@pytest.mark.parametrize("table", TABLES)
def test_every_table_lists_and_searches(kit: PortalKit, admin_client: Client,
                                        table: str) -> None:
    page = admin_client.get(f"/admin/waffo_portal/{table}/")
    assert page.status_code == 200
    assert admin_client.get(f"/admin/waffo_portal/{table}/?q=buyer_1").status_code == 200
    assert b"to view</h1>" in page.content  # "Select buyer to view": view-only
    assert f"/admin/waffo_portal/{table}/add/".encode() not in page.content  # no add link
    assert admin_client.get(f"/admin/waffo_portal/{table}/add/").status_code == 403


def test_rows_show_and_are_view_only(kit: PortalKit, admin_client: Client) -> None:
    listing = admin_client.get("/admin/waffo_portal/order/?status__exact=completed")
    assert b"ord_1" in listing.content
    detail = admin_client.get("/admin/waffo_portal/order/ord_1/change/")
    assert detail.status_code == 200 and b"View order" in detail.content
    assert b"<h2>ord_1 (completed)</h2>" in detail.content  # the row's __str__
    assert b'name="_save"' not in detail.content  # no save button: read-only
    changed = admin_client.post("/admin/waffo_portal/buyer/buyer_1/change/",
                                {"email": "eve@example.com", "name": "Eve"})
    assert changed.status_code == 403
    assert kit.store.get_buyer("buyer_1").email == "ada@example.com"  # type: ignore[union-attr]
    deleted = admin_client.post("/admin/waffo_portal/order/ord_1/delete/", {"post": "yes"})
    assert deleted.status_code == 403
    assert models.Order.objects.filter(id="ord_1").exists()


def test_bulk_delete_is_not_offered(kit: PortalKit, admin_client: Client) -> None:
    answer = admin_client.post("/admin/waffo_portal/order/", {
        "action": "delete_selected", "_selected_action": ["ord_1"], "post": "yes"})
    assert models.Order.objects.filter(id="ord_1").exists()
    assert answer.status_code in (200, 302)
    page = admin_client.get("/admin/waffo_portal/buyer/")
    assert b"delete_selected" not in page.content and b"send_login_link" in page.content


def test_send_login_link_emails_the_selected_buyers(kit: PortalKit,
                                                    admin_client: Client) -> None:
    answer = admin_client.post("/admin/waffo_portal/buyer/", {
        "action": "send_login_link", "_selected_action": ["buyer_1", "buyer_2"]},
        follow=True)
    assert answer.status_code == 200
    assert b"Login link queued for 2 buyer(s)" in answer.content
    assert sorted(m.to for m in kit.mailer.outbox) == ["ada@example.com", "bob@example.com"]
    assert "https://shop.example/billing/login/" in kit.mailer.outbox[0].text
    sent = models.AuditEvent.objects.filter(action="login.link_sent")
    assert sorted(e.actor for e in sent) == ["staff:admin", "staff:admin"]  # not the buyers


def test_send_login_link_is_not_held_back_by_the_sign_in_rate_limit(
        kit: PortalKit, admin_client: Client) -> None:
    many = [f"buyer_x{n:02d}" for n in range(kit.portal.config.login_rate_per_ip + 5)]
    for buyer_id in many:
        models.Buyer.objects.create(id=buyer_id, email=f"{buyer_id}@example.com", locale="en")
    answer = admin_client.post("/admin/waffo_portal/buyer/", {
        "action": "send_login_link", "_selected_action": many}, follow=True)
    assert f"Login link queued for {len(many)} buyer(s)".encode() in answer.content
    assert len(kit.mailer.outbox) == len(many)
    # The admin's own address keeps its budget on the public sign-in page.
    kit.portal.request_login_link("ada@example.com", client_ip="127.0.0.1")
    kit.portal.deliver_mail()
    assert kit.mailer.outbox[-1].to == "ada@example.com"


def test_staff_who_may_only_view_cannot_send_login_links(kit: PortalKit) -> None:
    User.objects.filter(username="viewer").delete()
    viewer = User.objects.create_user("viewer", "v@shop.example", "pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_buyer"))
    client = Client()
    client.force_login(viewer)
    try:
        page = client.get("/admin/waffo_portal/buyer/")
        assert page.status_code == 200 and b"send_login_link" not in page.content
        client.post("/admin/waffo_portal/buyer/", {
            "action": "send_login_link", "_selected_action": ["buyer_1"]}, follow=True)
        assert kit.mailer.outbox == []
    finally:
        viewer.delete()


def test_send_login_link_reports_a_buyer_it_cannot_mail(kit: PortalKit,
                                                       admin_client: Client) -> None:
    models.Buyer.objects.filter(id="buyer_2").update(email="not-an-address")
    answer = admin_client.post("/admin/waffo_portal/buyer/", {
        "action": "send_login_link", "_selected_action": ["buyer_1", "buyer_2"]},
        follow=True)
    assert b"Login link queued for 1 buyer(s)" in answer.content
    assert b"No login link for: buyer_2" in answer.content
    assert [m.to for m in kit.mailer.outbox] == ["ada@example.com"]
