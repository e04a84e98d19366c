"""Issue 5 end to end: the live card, escalation (button, shortcut, modal), take-over lock,
release, close/reopen and refusals, through the real Bolt app with signed payloads."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import select

from bot.blocks import ids
from storage.models import AuditEntry, Escalation
from tests.fakes import FakeSlack, FakeTwilio
from tests.handlers.test_slack_replies import reply
from tests.harness import (
    AGENT,
    CUSTOMER,
    MANAGER,
    OTHER,
    SUPPORT_CHANNEL,
    SUPPORT_NUMBER,
    AppUnderTest,
    open_conversation,
)
from tests.interactivity import block_action, message_shortcut, view_submission
from tests.process import cli

BOSS = "U0BOSS"
ESCALATIONS = "C0ESCALATE"


def card_text(slack: FakeSlack, root: str) -> str:
    return str((slack.message(SUPPORT_CHANNEL, root) or {}).get("text"))


def card_buttons(slack: FakeSlack, root: str) -> set[str]:
    blocks = (slack.message(SUPPORT_CHANNEL, root) or {}).get("blocks") or []
    return {e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]}


def click(app: AppUnderTest, slack: FakeSlack, root: str, action_id: str, user: str,
          *, channel: str = SUPPORT_CHANNEL, ts: str | None = None) -> None:
    conversation_id = conversation_of(app)
    response = block_action(app, slack, user=user, channel=channel, message_ts=ts or root,
                            action_id=action_id, value=str(conversation_id))
    assert response.status_code == 200, response.text


def conversation_of(app: AppUnderTest) -> int:
    from storage.models import Conversation

    with app.core.session_factory.begin() as session:
        return int(session.scalars(select(Conversation.id)).one())


def audit_actions(app: AppUnderTest) -> list[tuple[str, str]]:
    with app.core.session_factory.begin() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        return [(row.actor, row.action) for row in rows if row.action.startswith(
            ("conversation.", "escalations."))]


def ephemerals_to(slack: FakeSlack, user: str) -> list[dict[str, Any]]:
    return [e for e in slack.ephemerals if e["user"] == user]


def dm_messages(slack: FakeSlack, user: str) -> list[dict[str, Any]]:
    ims = [c.id for c in list(slack.channels.values()) if c.is_im and c.user == user]
    return [m for channel in ims for m in slack.messages_in(channel)]


def escalate_with_modal(
    app: AppUnderTest, slack: FakeSlack, *, user: str, reason: str, urgency: str = "normal",
    target: str | None = None,
) -> Any:
    """Submit the modal the last views.open showed."""
    view = slack.views[-1]["view"]
    values: dict[str, Any] = {
        ids.ESCALATE_REASON_BLOCK: {ids.ESCALATE_REASON_INPUT: {
            "type": "plain_text_input", "value": reason}},
        ids.ESCALATE_URGENCY_BLOCK: {ids.ESCALATE_URGENCY_INPUT: {
            "type": "radio_buttons", "selected_option": {"value": urgency}}},
    }
    if target is not None:
        values[ids.ESCALATE_TARGET_BLOCK] = {ids.ESCALATE_TARGET_INPUT: {
            "type": "static_select", "selected_option": {"value": target}}}
    return view_submission(app, user=user, view=view, values=values)


def setup_escalations_channel(app: AppUnderTest, slack: FakeSlack) -> None:
    slack.add_channel(ESCALATIONS, "escalations", members=[MANAGER, BOSS])
    app.core.services.escalation_settings.set_channel(
        team_id=app.team_id, channel_id=ESCALATIONS, actor="test",
        slack=app.core.slack_for(app.team_id),
    )


def test_the_root_is_a_live_card_and_assign_to_me_updates_it(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    root = open_conversation(app, fake_slack, fake_twilio)
    assert "open" in card_text(fake_slack, root)
    assert card_buttons(fake_slack, root) == {
        ids.CARD_ASSIGN_TO_ME, ids.CARD_ESCALATE, ids.CARD_TAKE_OVER, ids.CARD_CLOSE}
    click(app, fake_slack, root, ids.CARD_ASSIGN_TO_ME, AGENT)
    fake_slack.wait_for(lambda: "assigned to <@U0AGENT>" in card_text(fake_slack, root))
    assert fake_slack.wait_for(lambda: ephemerals_to(fake_slack, AGENT))[0]["text"].startswith(
        "The conversation is assigned to you")
    # a new text from the customer refreshes the card in place (no second root)
    updates = len(fake_slack.calls_to("chat.update"))
    fake_twilio.send_inbound(f"{app.url}/twilio/messages", from_=CUSTOMER, to=SUPPORT_NUMBER,
                             body="still there?")
    fake_slack.wait_for(lambda: len(fake_slack.calls_to("chat.update")) > updates)
    assert len([m for m in fake_slack.messages_in(SUPPORT_CHANNEL) if m["ts"] == m.get(
        "thread_ts", m["ts"])]) == 1
    assert "assigned to <@U0AGENT>" in card_text(fake_slack, root)
    assert (AGENT, "conversation.assign") in audit_actions(app)


def test_escalate_button_dms_each_manager_posts_the_channel_and_notes_the_thread(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    fake_slack.add_user(BOSS, "bo")
    app.core.services.admin.grant_role(team_id=app.team_id, user_id=BOSS, role="manager",
                                       actor="t")
    setup_escalations_channel(app, fake_slack)
    root = open_conversation(app, fake_slack, fake_twilio)
    click(app, fake_slack, root, ids.CARD_ESCALATE, AGENT)
    (opened,) = fake_slack.wait_for(lambda: fake_slack.views)
    target = next(b for b in opened["view"]["blocks"]
                  if b.get("block_id") == ids.ESCALATE_TARGET_BLOCK)
    assert [o["value"] for o in target["element"]["options"]] == ["all", BOSS, MANAGER]
    # a blank reason goes back into the modal as a field error; nothing is stored
    refused = escalate_with_modal(app, fake_slack, user=AGENT, reason="  ")
    assert refused.status_code == 200
    assert refused.json()["response_action"] == "errors"
    assert ids.ESCALATE_REASON_BLOCK in refused.json()["errors"]
    with app.core.session_factory.begin() as session:
        assert session.scalars(select(Escalation)).all() == []
    accepted = escalate_with_modal(app, fake_slack, user=AGENT, reason="Wants a <refund> & more",
                                   urgency="urgent", target="all")
    assert accepted.status_code == 200 and accepted.text == ""
    for manager in (MANAGER, BOSS):
        (dm,) = fake_slack.wait_for(lambda m=manager: dm_messages(fake_slack, m))
        assert "Urgent" in dm["text"] and "<@U0AGENT>" in dm["text"]
        shown = json.dumps(dm["blocks"])
        assert "Wants a &lt;refund&gt; &amp; more" in shown
        assert f"archives/{SUPPORT_CHANNEL}/p{root.replace('.', '')}" in shown
        assert ids.ESCALATION_TAKE_OVER in shown
    (posted,) = fake_slack.wait_for(lambda: fake_slack.messages_in(ESCALATIONS))
    assert ids.ESCALATION_TAKE_OVER in json.dumps(posted["blocks"])
    note = fake_slack.wait_for(lambda: [m for m in fake_slack.thread(SUPPORT_CHANNEL, root)
                                        if "escalated this conversation" in m["text"]])
    assert "(urgent)" in note[0]["text"] and f"<#{ESCALATIONS}>" in note[0]["text"]
    fake_slack.wait_for(lambda: "escalated to <@U0BOSS>, <@U0MANAGER>" in card_text(
        fake_slack, root))
    assert (AGENT, "conversation.escalate") in audit_actions(app)
    # the outbox delivered each notice once, even after a sweep
    app.core.runner.sweep(grace=0)
    time.sleep(0.5)
    assert len(dm_messages(fake_slack, MANAGER)) == 1
    assert len(fake_slack.messages_in(ESCALATIONS)) == 1


def test_message_shortcut_in_a_thread_opens_the_modal_and_elsewhere_explains(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    root = open_conversation(app, fake_slack, fake_twilio)
    in_thread = fake_slack.thread(SUPPORT_CHANNEL, root)[-1]
    assert message_shortcut(app, fake_slack, user=AGENT, channel=SUPPORT_CHANNEL,
                            message=in_thread, callback_id=ids.ESCALATE_SHORTCUT
                            ).status_code == 200
    (opened,) = fake_slack.wait_for(lambda: fake_slack.views)
    assert opened["view"]["callback_id"] == ids.ESCALATE_VIEW
    assert json.loads(opened["view"]["private_metadata"]) == {
        "conversation_id": conversation_of(app)}
    escalate_with_modal(app, fake_slack, user=AGENT, reason="needs a manager")
    (dm,) = fake_slack.wait_for(lambda: dm_messages(fake_slack, MANAGER))
    assert "needs a manager" in json.dumps(dm["blocks"])
    # a message that is not in a conversation thread
    chatter = fake_slack.add_message(SUPPORT_CHANNEL, user=OTHER, text="lunch?")
    message_shortcut(app, fake_slack, user=OTHER, channel=SUPPORT_CHANNEL, message=chatter,
                     callback_id=ids.ESCALATE_SHORTCUT)
    (answer,) = fake_slack.wait_for(lambda: fake_slack.responses)
    assert answer["body"]["response_type"] == "ephemeral"
    assert "customer conversation" in answer["body"]["text"]
    assert len(fake_slack.views) == 1


def test_take_over_updates_the_notices_and_locks_the_thread_to_the_owner(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    setup_escalations_channel(app, fake_slack)
    root = open_conversation(app, fake_slack, fake_twilio)
    click(app, fake_slack, root, ids.CARD_ESCALATE, AGENT)
    fake_slack.wait_for(lambda: fake_slack.views)
    escalate_with_modal(app, fake_slack, user=AGENT, reason="shouting")
    (dm,) = fake_slack.wait_for(lambda: dm_messages(fake_slack, MANAGER))
    (posted,) = fake_slack.wait_for(lambda: fake_slack.messages_in(ESCALATIONS))
    # the manager takes over from the DM
    click(app, fake_slack, root, ids.ESCALATION_TAKE_OVER, MANAGER, channel=dm["channel"],
          ts=dm["ts"])
    fake_slack.wait_for(lambda: "taken over by <@U0MANAGER>" in card_text(fake_slack, root))
    for channel, ts in ((dm["channel"], dm["ts"]), (ESCALATIONS, posted["ts"])):
        fake_slack.wait_for(lambda c=channel, t=ts: "taken over by <@U0MANAGER>" in str(
            (fake_slack.message(c, t) or {}).get("text")))
        assert ids.ESCALATION_TAKE_OVER not in json.dumps(fake_slack.message(channel, ts))
    assert card_buttons(fake_slack, root) >= {ids.CARD_RELEASE}
    fake_slack.wait_for(lambda: [m for m in fake_slack.thread(SUPPORT_CHANNEL, root)
                                 if "took this conversation over" in m["text"]])
    # the assigned agent's reply stays a note and they are told why; the owner's is texted
    reply(app, fake_slack, root, "I can handle it", user=AGENT)
    told = fake_slack.wait_for(lambda: [e for e in ephemerals_to(fake_slack, AGENT)
                                        if "Kept as a note" in e["text"]])
    assert told[0]["thread_ts"] == root and "<@U0MANAGER>" in told[0]["text"]
    reply(app, fake_slack, root, "Manager here, sorry about that", user=MANAGER)
    fake_twilio.wait_for(lambda: fake_twilio.created)
    app.core.runner.sweep(grace=0)
    time.sleep(0.3)
    assert [m["params"]["Body"] for m in fake_twilio.created] == [
        "Manager here, sorry about that"]
    # the owner releases; the agent texts again
    click(app, fake_slack, root, ids.CARD_RELEASE, MANAGER)
    fake_slack.wait_for(lambda: "taken over" not in card_text(fake_slack, root))
    assert "assigned to <@U0MANAGER>" in card_text(fake_slack, root)
    reply(app, fake_slack, root, "Back to me", user=AGENT)
    fake_twilio.wait_for(lambda: len(fake_twilio.created) == 2)
    assert audit_actions(app) == [
        ("test", "escalations.channel"), (AGENT, "conversation.escalate"),
        (MANAGER, "conversation.take_over"), (MANAGER, "conversation.release")]


def test_manager_only_and_member_actions_are_refused_with_a_reason(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    root = open_conversation(app, fake_slack, fake_twilio)
    before = card_text(fake_slack, root)
    click(app, fake_slack, root, ids.CARD_TAKE_OVER, AGENT)
    (refusal,) = fake_slack.wait_for(lambda: ephemerals_to(fake_slack, AGENT))
    assert "Only managers can take a conversation over" in refusal["text"]
    click(app, fake_slack, root, ids.CARD_CLOSE, OTHER)  # not assigned to the number
    (refusal,) = fake_slack.wait_for(lambda: ephemerals_to(fake_slack, OTHER))
    assert "isn't assigned to you" in refusal["text"]
    # taken over: the assigned agent can no longer close or release it
    click(app, fake_slack, root, ids.CARD_TAKE_OVER, MANAGER)
    fake_slack.wait_for(lambda: "taken over" in card_text(fake_slack, root))
    click(app, fake_slack, root, ids.CARD_RELEASE, AGENT)
    fake_slack.wait_for(lambda: len(ephemerals_to(fake_slack, AGENT)) == 2)
    assert "Only <@U0MANAGER>" in ephemerals_to(fake_slack, AGENT)[-1]["text"]
    click(app, fake_slack, root, ids.CARD_CLOSE, AGENT)
    fake_slack.wait_for(lambda: len(ephemerals_to(fake_slack, AGENT)) == 3)
    assert "has taken this conversation over" in ephemerals_to(fake_slack, AGENT)[-1]["text"]
    assert "closed" not in card_text(fake_slack, root) and before != card_text(fake_slack, root)
    refused = [(actor, action) for actor, action in audit_actions(app)
               if action == "conversation.refused"]
    assert refused == [(AGENT, "conversation.refused"), (OTHER, "conversation.refused"),
                       (AGENT, "conversation.refused"), (AGENT, "conversation.refused")]


def test_close_then_a_new_text_reopens_the_same_thread_and_tells_the_assignee(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    root = open_conversation(app, fake_slack, fake_twilio)
    click(app, fake_slack, root, ids.CARD_ASSIGN_TO_ME, AGENT)
    fake_slack.wait_for(lambda: "assigned to" in card_text(fake_slack, root))
    click(app, fake_slack, root, ids.CARD_CLOSE, AGENT)
    fake_slack.wait_for(lambda: "closed" in card_text(fake_slack, root))
    assert ids.CARD_REOPEN in card_buttons(fake_slack, root)
    fake_slack.wait_for(lambda: [m for m in fake_slack.thread(SUPPORT_CHANNEL, root)
                                 if "closed this conversation" in m["text"]])
    fake_twilio.send_inbound(f"{app.url}/twilio/messages", from_=CUSTOMER, to=SUPPORT_NUMBER,
                             body="one more thing")
    fake_slack.wait_for(lambda: "closed" not in card_text(fake_slack, root))
    assert "assigned to <@U0AGENT>" in card_text(fake_slack, root)
    told = fake_slack.wait_for(lambda: [e for e in ephemerals_to(fake_slack, AGENT)
                                        if "open again" in e["text"]])
    assert told[0]["thread_ts"] == root and told[0]["channel"] == SUPPORT_CHANNEL
    assert [m["text"] for m in fake_slack.thread(SUPPORT_CHANNEL, root)][-1] == "one more thing"
    # closed and reopened by hand as well
    click(app, fake_slack, root, ids.CARD_CLOSE, AGENT)
    fake_slack.wait_for(lambda: "closed" in card_text(fake_slack, root))
    click(app, fake_slack, root, ids.CARD_REOPEN, AGENT)
    fake_slack.wait_for(lambda: "closed" not in card_text(fake_slack, root))
    actions = [action for _, action in audit_actions(app)]
    assert actions == ["conversation.assign", "conversation.close", "conversation.reopen",
                       "conversation.close", "conversation.reopen"]


def test_cli_sets_the_escalations_channel_joining_it(
    env: dict[str, str], fake_slack: FakeSlack
) -> None:
    settings = {k: v for k, v in env.items() if not k.startswith("_")}
    fake_slack.add_channel(ESCALATIONS, "escalations", members=[MANAGER])
    done = cli(settings, "escalations", "channel", ESCALATIONS)
    assert done.returncode == 0, done.stderr
    assert f"escalations go to {ESCALATIONS}" in done.stdout
    assert fake_slack.bot_user_id in fake_slack.channels[ESCALATIONS].members
    missing = cli(settings, "escalations", "channel", "C0NOWHERE")
    assert missing.returncode == 1
    assert missing.stderr.startswith("error: ") and "no channel C0NOWHERE" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_a_manager_escalates_onward_to_the_channel_and_never_to_themself(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    root = open_conversation(app, fake_slack, fake_twilio)
    # no other manager and no escalations channel: nobody to escalate to, said ephemerally
    click(app, fake_slack, root, ids.CARD_ESCALATE, MANAGER)
    (answer,) = fake_slack.wait_for(lambda: fake_slack.responses)
    assert "nobody to escalate to" in answer["body"]["text"]
    assert fake_slack.views == []
    setup_escalations_channel(app, fake_slack)
    click(app, fake_slack, root, ids.CARD_ESCALATE, MANAGER)
    (opened,) = fake_slack.wait_for(lambda: fake_slack.views)
    assert ids.ESCALATE_TARGET_BLOCK not in json.dumps(opened["view"]["blocks"])
    escalate_with_modal(app, fake_slack, user=MANAGER, reason="legal question")
    (posted,) = fake_slack.wait_for(lambda: fake_slack.messages_in(ESCALATIONS))
    assert "<@U0MANAGER>" in posted["text"]
    fake_slack.wait_for(lambda: f"escalated to <#{ESCALATIONS}>" in card_text(fake_slack, root))
    assert dm_messages(fake_slack, MANAGER) == []


def test_an_escalation_dm_whose_answer_was_lost_is_found_not_repeated(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    root = open_conversation(app, fake_slack, fake_twilio)
    click(app, fake_slack, root, ids.CARD_ESCALATE, AGENT)
    fake_slack.wait_for(lambda: fake_slack.views)
    fake_slack.fail_next("chat.update", status=500)  # the card update is retried
    fake_slack.hang_next("chat.postMessage", record=True, times=2)  # posted, answers lost
    escalate_with_modal(app, fake_slack, user=AGENT, reason="lost answers")
    fake_slack.wait_for(lambda: "escalated to <@U0MANAGER>" in card_text(fake_slack, root),
                        timeout=30)
    fake_slack.wait_for(lambda: _all_done(app), timeout=30)
    assert len(dm_messages(fake_slack, MANAGER)) == 1
    notes = [m for m in fake_slack.thread(SUPPORT_CHANNEL, root)
             if "escalated this conversation" in m["text"]]
    assert len(notes) == 1
    assert fake_slack.calls_to("conversations.history"), "the lost DM was reconciled"


def _all_done(app: AppUnderTest) -> bool:
    from storage.models import OutboxItem

    with app.core.session_factory.begin() as session:
        states = session.scalars(select(OutboxItem.state)).all()
    return bool(states) and all(state == "done" for state in states)
