"""App Home, directory events and the contact window through the real Bolt app."""

from __future__ import annotations

from typing import Any

from bot.blocks import ids
from storage.models import AuditEntry, Contact, Member
from storage.repositories import numbers, roles, workspaces
from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import (
    ADMIN,
    AGENT,
    CUSTOMER,
    OTHER,
    SALES_CHANNEL,
    SUPPORT_NUMBER,
    AppUnderTest,
    open_conversation,
)
from tests.slack_payloads import block_action, event, submit, with_state


def open_home(app: AppUnderTest, slack: FakeSlack, user: str) -> dict[str, Any]:
    response = event(app, {"type": "app_home_opened", "user": user, "channel": "D0HOME",
                           "tab": "home", "event_ts": "1.0"})
    assert response.status_code == 200, response.text
    return slack.home_views[user]


def text_of(view: dict[str, Any]) -> str:
    return str(view["blocks"])


def sales_id(app: AppUnderTest) -> int:
    with app.core.session_factory.begin() as session:
        return numbers.by_e164(session, "+14155550199").id


def test_home_shows_numbers_default_and_recent_messages(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    thread = open_conversation(app, fake_slack, fake_twilio, body="Where is <my> order?")
    from tests.handlers.test_slack_replies import reply

    reply(app, fake_slack, thread, "On its way")
    app.core.services.compose.send(
        team_id=app.team_id, sender=OTHER, recipient_value=f"m:{AGENT}", number_id=None,
        text="Coffee?",
    )
    fake_slack.wait_for(lambda: fake_slack.dm_channel(AGENT))
    home = open_home(app, fake_slack, AGENT)
    text = text_of(home)
    assert "Support (+1 415-555-0100) → <#C0SUPPORT> · *default*" in text
    assert "💬 *otto* — Coffee?" in text
    assert "📱 *+1 415-555-2671* — On its way" in text
    assert text.index("💬") < text.index("📱 *+1")  # newest first
    assert "Admin" not in text


def test_member_without_numbers_is_told_whom_to_ask(
    app: AppUnderTest, fake_slack: FakeSlack
) -> None:
    text = text_of(open_home(app, fake_slack, OTHER))
    assert "SMS numbers are set up by an administrator" in text and "adam" in text


def test_member_changes_their_default(app: AppUnderTest, fake_slack: FakeSlack) -> None:
    app.core.services.admin.assign(
        team_id=app.team_id, number="+14155550199", user_id=AGENT, default=False, actor="t"
    )
    home = open_home(app, fake_slack, AGENT)
    option = {"text": {"type": "plain_text", "text": "Sales"}, "value": str(sales_id(app))}
    response = block_action(app, user=AGENT, block_id="b", action={
        "action_id": ids.HOME_DEFAULT_NUMBER, "type": "static_select", "selected_option": option,
    })
    assert response.status_code == 200
    assert fake_slack.home_views[AGENT]["id"] == home["id"]
    assert "Sales (+1 415-555-0199) → <#C0SALES> · *default*" in text_of(
        fake_slack.home_views[AGENT]
    )
    # someone can't make a number they don't have their default
    block_action(app, user=OTHER, block_id="b", action={
        "action_id": ids.HOME_DEFAULT_NUMBER, "type": "static_select", "selected_option": option,
    })
    dm = fake_slack.wait_for(lambda: fake_slack.dm_channel(OTHER))
    assert "isn't assigned to you" in fake_slack.messages_in(dm)[0]["text"]


def admin_values(**blocks: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block: {ids.ADMIN_INPUT: value} for block, value in blocks.items()}


def test_admin_adds_a_number_assigns_and_grants_roles(
    app: AppUnderTest, fake_slack: FakeSlack
) -> None:
    assert "Admin: numbers" in text_of(open_home(app, fake_slack, ADMIN))
    fake_slack.add_channel("C0BILLING", "sms-billing", members=[ADMIN])
    response = block_action(app, user=ADMIN, block_id="b", action={
        "action_id": ids.HOME_ADD_NUMBER, "type": "button"})
    assert response.status_code == 200
    view = fake_slack.views[-1]["view"]
    assert view["callback_id"] == ids.ADD_NUMBER_VIEW
    bad = submit(app, user=ADMIN, view=with_state(view, admin_values(
        number={"value": "12"}, channel={"selected_conversation": "C0BILLING"},
        label={"value": "Billing"})))
    assert "not a possible phone number" in bad.json()["errors"][ids.ADMIN_NUMBER_BLOCK]
    good = submit(app, user=ADMIN, view=with_state(view, admin_values(
        number={"value": "+1 415 555 0177"}, channel={"selected_conversation": "C0BILLING"},
        label={"value": "Billing"})))
    assert good.status_code == 200 and good.text == ""
    assert "conversations.join" in [c.method for c in fake_slack.calls]
    assert "Billing (+1 415-555-0177) → <#C0BILLING>" in text_of(fake_slack.home_views[ADMIN])

    block_action(app, user=ADMIN, block_id="b", action={"action_id": ids.HOME_ASSIGN,
                                                        "type": "button"})
    assign = fake_slack.views[-1]["view"]
    assert assign["callback_id"] == ids.ASSIGN_VIEW
    values = admin_values(
        number={"selected_option": {"value": str(sales_id(app))}},
        user={"selected_user": OTHER}, change={"selected_option": {"value": "default"}},
    )
    assert submit(app, user=ADMIN, view=with_state(assign, values)).text == ""
    assert f"<@{OTHER}> (default)" in text_of(fake_slack.home_views[ADMIN])

    block_action(app, user=ADMIN, block_id="b", action={"action_id": ids.HOME_ROLES,
                                                        "type": "button"})
    role_view = fake_slack.views[-1]["view"]
    values = admin_values(user={"selected_user": OTHER},
                          role={"selected_option": {"value": "manager"}},
                          change={"selected_option": {"value": "grant"}})
    assert submit(app, user=ADMIN, view=with_state(role_view, values)).text == ""
    with app.core.session_factory.begin() as session:
        workspace_id = workspaces.by_team(session, app.team_id).id
        assert "manager" in roles.roles_of(session, workspace_id, OTHER)
        actions = [a.action for a in session.query(AuditEntry).filter_by(actor=ADMIN)]
    assert actions == ["number.add", "number.assign", "role.grant"]


def test_admin_changes_are_rechecked_at_submission(
    app: AppUnderTest, fake_slack: FakeSlack
) -> None:
    """A non-admin who gets hold of an admin window is refused when submitting it."""
    block_action(app, user=ADMIN, block_id="b", action={"action_id": ids.HOME_ROLES,
                                                        "type": "button"})
    role_view = fake_slack.views[-1]["view"]
    values = admin_values(user={"selected_user": AGENT},
                          role={"selected_option": {"value": "admin"}},
                          change={"selected_option": {"value": "grant"}})
    refused = submit(app, user=AGENT, view=with_state(role_view, values)).json()
    assert refused["response_action"] == "errors"
    assert "Only smsbridge admins" in refused["errors"][ids.ADMIN_USER_BLOCK]
    with app.core.session_factory.begin() as session:
        workspace_id = workspaces.by_team(session, app.team_id).id
        assert roles.roles_of(session, workspace_id, AGENT) == set()
    # unassign works for the admin, and is audited
    block_action(app, user=ADMIN, block_id="b", action={"action_id": ids.HOME_ASSIGN,
                                                        "type": "button"})
    assign = fake_slack.views[-1]["view"]
    support = next(o for o in assign["blocks"][0]["element"]["options"]
                   if "Support" in o["text"]["text"])
    values = admin_values(number={"selected_option": support}, user={"selected_user": AGENT},
                          change={"selected_option": {"value": "unassign"}})
    assert submit(app, user=ADMIN, view=with_state(assign, values)).text == ""
    with app.core.session_factory.begin() as session:
        number = numbers.by_e164(session, SUPPORT_NUMBER)
        assert numbers.assignment(session, number.id, AGENT) is None


def test_directory_follows_team_join_and_user_change(
    app: AppUnderTest, fake_slack: FakeSlack
) -> None:
    app.core.services.directory.sync(team_id=app.team_id)
    newcomer = fake_slack.add_user("U0NEW", "nina", real_name="Nina Newcomer")
    assert event(app, {"type": "team_join", "user": newcomer}).status_code == 200
    found = app.core.services.directory.search(team_id=app.team_id, query="nina n")
    assert [r.name for r in found] == ["Nina Newcomer"]
    gone = fake_slack.add_user("U0NEW", "nina", real_name="Nina Newcomer", deleted=True)
    assert event(app, {"type": "user_change", "user": gone}).status_code == 200
    assert app.core.services.directory.search(team_id=app.team_id, query="nina") == []
    with app.core.session_factory.begin() as session:
        member = session.query(Member).filter_by(slack_user_id="U0NEW").one()
        assert member.deleted


def test_contact_window_adds_and_edits(app: AppUnderTest, fake_slack: FakeSlack) -> None:
    block_action(app, user=AGENT, block_id="b", action={"action_id": ids.HOME_ADD_CONTACT,
                                                        "type": "button"})
    view = fake_slack.views[-1]["view"]
    assert view["callback_id"] == ids.CONTACT_VIEW

    def fields(**values: str) -> dict[str, dict[str, Any]]:
        return {block: {ids.CONTACT_INPUT: {"type": "plain_text_input", "value": value}}
                for block, value in values.items()}

    bad = submit(app, user=AGENT, view=with_state(view, fields(phone="call me", name="X")))
    assert "not a phone number" in bad.json()["errors"][ids.CONTACT_PHONE_BLOCK]
    ok = submit(app, user=AGENT, view=with_state(view, fields(
        phone="(415) 555-2671", name="Dana Scully", company="FBI", notes="prefers texts")))
    assert ok.text == ""
    with app.core.session_factory.begin() as session:
        contact = session.query(Contact).filter_by(e164=CUSTOMER).one()
        assert (contact.name, contact.company, contact.name_key) == (
            "Dana Scully", "FBI", "dana scully")
    found = app.core.services.directory.search(team_id=app.team_id, query="dana")
    assert [r.e164 for r in found] == [CUSTOMER]
    assert SALES_CHANNEL  # the window is reachable from the New message window too:
    block_action(app, user=AGENT, block_id="b", action={
        "action_id": ids.COMPOSE_ADD_CONTACT, "type": "button"})
    assert fake_slack.views[-1]["method"] == "views.push"


def test_new_message_button_on_home_opens_the_window(
    app: AppUnderTest, fake_slack: FakeSlack
) -> None:
    response = block_action(app, user=AGENT, block_id="b", action={
        "action_id": ids.HOME_NEW_MESSAGE, "type": "button"})
    assert response.status_code == 200
    assert fake_slack.views[-1]["method"] == "views.open"
    assert fake_slack.views[-1]["view"]["callback_id"] == ids.COMPOSE_VIEW


def test_admin_sets_the_escalations_channel_from_home(
    app: AppUnderTest, fake_slack: FakeSlack
) -> None:
    assert "Escalations channel:" in text_of(open_home(app, fake_slack, ADMIN))
    assert "Escalations channel:" not in text_of(open_home(app, fake_slack, OTHER))
    fake_slack.add_channel("C0ESC", "escalations", members=[ADMIN, OTHER])
    pick = {"action_id": ids.ESCALATIONS_CHANNEL_SELECT, "type": "conversations_select",
            "selected_conversation": "C0ESC"}
    assert block_action(app, user=OTHER, block_id="b", action=pick).status_code == 200
    assert app.core.services.escalation_settings.channel(team_id=app.team_id) is None
    refusal = fake_slack.wait_for(lambda: fake_slack.messages_in(OTHER))
    assert "Only admins" in refusal[-1]["text"]
    assert block_action(app, user=ADMIN, block_id="b", action=pick).status_code == 200
    assert app.core.services.escalation_settings.channel(team_id=app.team_id) == "C0ESC"
    assert fake_slack.bot_user_id in fake_slack.channels["C0ESC"].members  # joined
    assert "<#C0ESC>" in text_of(fake_slack.home_views[ADMIN])
