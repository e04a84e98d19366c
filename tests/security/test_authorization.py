"""The authorization matrix: role × action, every cell driven through the real Bolt app and
checked against DESIGN §4 "Who may send" (members send from their assigned numbers, managers
from any number and take over, admins manage numbers and roles) and services/permissions.py.
A refused cell changes nothing (no row, no SMS) and tells the person (modal error or an
ephemeral message); an outsider (a user of another team_id) reaches nothing."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from sqlalchemy import func, select

from bot.blocks import ids
from storage.models import (
    Conversation,
    Escalation,
    MemberRole,
    Message,
    NumberAssignment,
    SmsNumber,
)
from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import (
    ADMIN,
    AGENT,
    MANAGER,
    OTHER,
    SUPPORT_CHANNEL,
    AppUnderTest,
    message_event,
    open_conversation,
    send_event,
)
from tests.interactivity import post_payload
from tests.security.props import record

OUTSIDER, OTHER_TEAM = "U0OUTSIDER", "T0OTHERTEAM"
SECOND_MANAGER, TARGET, NEW_CHANNEL = "U0BOSS", "U0TARGET", "C0NEWNUMBER"
ROLES = {"outsider": OUTSIDER, "member": OTHER, "assigned member": AGENT, "admin": ADMIN,
         "manager": MANAGER}  # in this order: take over by the manager comes last
ALLOW, REFUSE, IGNORE = "allowed", "refused", "ignored"
POLICY: dict[str, dict[str, str]] = {
    # action → role → expected. "ignored": not this workspace, nobody to tell, nothing done.
    "thread reply": {"outsider": IGNORE, "member": REFUSE, "assigned member": ALLOW,
                     "admin": REFUSE, "manager": ALLOW},
    "New message (compose)": {"outsider": REFUSE, "member": REFUSE, "assigned member": ALLOW,
                              "admin": REFUSE, "manager": ALLOW},
    "escalate": {"outsider": REFUSE, "member": ALLOW, "assigned member": ALLOW,
                 "admin": ALLOW, "manager": ALLOW},
    "assign a number": {"outsider": REFUSE, "member": REFUSE, "assigned member": REFUSE,
                        "admin": ALLOW, "manager": REFUSE},
    "manage numbers": {"outsider": REFUSE, "member": REFUSE, "assigned member": REFUSE,
                       "admin": ALLOW, "manager": REFUSE},
    "grant roles": {"outsider": REFUSE, "member": REFUSE, "assigned member": REFUSE,
                    "admin": ALLOW, "manager": REFUSE},
    "take over": {"outsider": REFUSE, "member": REFUSE, "assigned member": REFUSE,
                  "admin": REFUSE, "manager": ALLOW},
}


@dataclass
class Scene:
    app: AppUnderTest
    slack: FakeSlack
    twilio: FakeTwilio
    root: str
    conversation_id: int
    views: dict[str, dict[str, Any]]

    def team(self, user: str) -> str:
        return OTHER_TEAM if user == OUTSIDER else self.app.team_id

    def count(self, model: type, *where: Any) -> int:
        with self.app.core.session_factory() as session:
            return int(session.scalar(select(func.count()).select_from(model).where(*where))
                       or 0)

    def payload(self, kind: str, user: str, **fields: Any) -> dict[str, Any]:
        team = self.team(user)
        return {"type": kind, "team": {"id": team, "domain": "acme"},
                "user": {"id": user, "team_id": team, "name": user.lower()},
                "api_app_id": "A0001", "token": "legacy",
                "trigger_id": f"{int(time.time())}.1.{uuid.uuid4().hex}", **fields}

    def submit(self, user: str, view: str, values: dict[str, Any]) -> requests.Response:
        submitted = {**self.views[view], "state": {"values": values}}
        return post_payload(self.app, self.payload("view_submission", user, view=submitted))

    def told_by_ephemeral(self, user: str, before: tuple[int, int]) -> bool:
        """An ephemeral notice to `user` (outbox) or an answer on the response_url."""
        def arrived() -> bool:
            mine = [e for e in self.slack.ephemerals if e.get("user") == user]
            return len(mine) > before[0] or len(self.slack.responses) > before[1]
        return bool(self.slack.wait_for(arrived, timeout=15, message=f"{user} is told"))

    def ephemeral_marks(self, user: str) -> tuple[int, int]:
        return (len([e for e in self.slack.ephemerals if e.get("user") == user]),
                len(self.slack.responses))


@dataclass
class Outcome:
    status: int
    effect: bool  # the action's change is in the database
    told: bool  # the person got a reason (modal error, ephemeral); only asked when refused


def _errors(response: requests.Response) -> bool:
    return response.status_code == 200 and response.text.startswith("{") and \
        response.json().get("response_action") == "errors"


def reply(scene: Scene, user: str, refused: bool) -> Outcome:
    before = scene.count(Message, Message.sender_user_id == user)
    marks = scene.ephemeral_marks(user)
    ts = scene.slack.add_message(SUPPORT_CHANNEL, user=user, text="matrix reply",
                                 thread_ts=scene.root)["ts"]
    response = send_event(scene.app.url, message_event(
        team_id=scene.team(user), channel=SUPPORT_CHANNEL, user=user, text="matrix reply",
        ts=ts, thread_ts=scene.root))
    effect = scene.count(Message, Message.sender_user_id == user,
                         Message.direction == "outbound") > 0 and \
        scene.count(Message, Message.sender_user_id == user) > before
    told = refused and user != OUTSIDER and scene.told_by_ephemeral(user, marks)
    return Outcome(response.status_code, effect, told)


def compose(scene: Scene, user: str, refused: bool) -> Outcome:
    before = scene.count(Message, Message.sender_user_id == user)
    values = {
        ids.COMPOSE_RECIPIENT_BLOCK: {ids.COMPOSE_RECIPIENT: {
            "type": "external_select", "selected_option": {
                "text": {"type": "plain_text", "text": "x"}, "value": "p:+14155550142"}}},
        ids.COMPOSE_MESSAGE_BLOCK: {ids.COMPOSE_MESSAGE: {
            "type": "plain_text_input", "value": "matrix compose"}},
        ids.COMPOSE_FROM_BLOCK: {ids.COMPOSE_FROM: {
            "type": "static_select", "selected_option": {
                "text": {"type": "plain_text", "text": "x"}, "value": str(support_id(scene))}}},
    }
    response = scene.submit(user, ids.COMPOSE_VIEW, values)
    effect = scene.count(Message, Message.sender_user_id == user) > before
    return Outcome(response.status_code, effect, _errors(response))


def escalate(scene: Scene, user: str, refused: bool) -> Outcome:
    before = scene.count(Escalation)
    values = {ids.ESCALATE_REASON_BLOCK: {ids.ESCALATE_REASON_INPUT: {
        "type": "plain_text_input", "value": f"matrix escalation by {user}"}}}
    response = scene.submit(user, ids.ESCALATE_VIEW, values)
    return Outcome(response.status_code, scene.count(Escalation) > before, _errors(response))


def _admin_values(**blocks: dict[str, Any]) -> dict[str, Any]:
    return {block: {ids.ADMIN_INPUT: value} for block, value in blocks.items()}


def assign(scene: Scene, user: str, refused: bool) -> Outcome:
    before = scene.count(NumberAssignment)
    response = scene.submit(user, ids.ASSIGN_VIEW, _admin_values(
        number={"selected_option": {"value": str(support_id(scene))}},
        user={"selected_user": f"{TARGET}{user[-3:]}"},
        change={"selected_option": {"value": "assign"}}))
    return Outcome(response.status_code, scene.count(NumberAssignment) > before, _errors(response))


def add_number(scene: Scene, user: str, refused: bool) -> Outcome:
    before = scene.count(SmsNumber)
    suffix = list(ROLES.values()).index(user)
    response = scene.submit(user, ids.ADD_NUMBER_VIEW, _admin_values(
        number={"value": f"+1 415 555 016{suffix}"},
        channel={"selected_conversation": NEW_CHANNEL}, label={"value": f"New {suffix}"}))
    return Outcome(response.status_code, scene.count(SmsNumber) > before, _errors(response))


def grant_role(scene: Scene, user: str, refused: bool) -> Outcome:
    before = scene.count(MemberRole)
    response = scene.submit(user, ids.ROLES_VIEW, _admin_values(
        user={"selected_user": f"{TARGET}{user[-3:]}"},
        role={"selected_option": {"value": "manager"}},
        change={"selected_option": {"value": "grant"}}))
    return Outcome(response.status_code, scene.count(MemberRole) > before, _errors(response))


def take_over(scene: Scene, user: str, refused: bool) -> Outcome:
    marks = scene.ephemeral_marks(user)
    payload = scene.payload(
        "block_actions", user, channel={"id": SUPPORT_CHANNEL, "name": "sms-support"},
        container={"type": "message", "message_ts": scene.root, "channel_id": SUPPORT_CHANNEL},
        message={"ts": scene.root, "type": "message"}, response_url=scene.slack.response_url(),
        actions=[{"type": "button", "action_id": ids.CARD_TAKE_OVER, "block_id": "b",
                  "value": str(scene.conversation_id), "action_ts": f"{time.time():.6f}"}])
    response = post_payload(scene.app, payload)
    effect = scene.count(Conversation, Conversation.taken_over_by == user) > 0
    told = refused and scene.told_by_ephemeral(user, marks)
    return Outcome(response.status_code, effect, told)


ACTIONS: dict[str, Callable[[Scene, str, bool], Outcome]] = {
    "thread reply": reply, "New message (compose)": compose, "escalate": escalate,
    "assign a number": assign, "manage numbers": add_number, "grant roles": grant_role,
    "take over": take_over,
}


def support_id(scene: Scene) -> int:
    with scene.app.core.session_factory() as session:
        return int(session.scalars(select(SmsNumber.id).order_by(SmsNumber.id)).first() or 0)


def _open_views(scene: Scene) -> None:
    """The windows a person would submit, opened once by someone allowed to open them; a
    person not allowed who replays one is checked again at submission."""
    openers = {
        ids.COMPOSE_VIEW: scene.payload("shortcut", AGENT, callback_id=ids.NEW_MESSAGE_SHORTCUT),
        ids.ESCALATE_VIEW: scene.payload(
            "block_actions", AGENT, channel={"id": SUPPORT_CHANNEL},
            container={"type": "message", "message_ts": scene.root},
            response_url=scene.slack.response_url(),
            actions=[{"type": "button", "action_id": ids.CARD_ESCALATE, "block_id": "b",
                      "value": str(scene.conversation_id), "action_ts": "1"}]),
        ids.ASSIGN_VIEW: scene.payload("block_actions", ADMIN, actions=[
            {"type": "button", "action_id": ids.HOME_ASSIGN, "block_id": "b"}]),
        ids.ADD_NUMBER_VIEW: scene.payload("block_actions", ADMIN, actions=[
            {"type": "button", "action_id": ids.HOME_ADD_NUMBER, "block_id": "b"}]),
        ids.ROLES_VIEW: scene.payload("block_actions", ADMIN, actions=[
            {"type": "button", "action_id": ids.HOME_ROLES, "block_id": "b"}]),
    }
    for callback_id, payload in openers.items():
        before = len(scene.slack.views)
        assert post_payload(scene.app, payload).status_code == 200
        opened = scene.slack.wait_for(lambda b=before: scene.slack.views[b:])
        assert opened[0]["view"]["callback_id"] == callback_id
        scene.views[callback_id] = opened[0]["view"]


def test_every_cell_of_the_authorization_matrix_matches_the_policy(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    fake_slack.add_user(OUTSIDER, "outsider")
    fake_slack.add_user(SECOND_MANAGER, "boss")
    fake_slack.add_channel(NEW_CHANNEL, "sms-new", members=[fake_slack.bot_user_id, ADMIN])
    app.core.services.admin.grant_role(team_id=app.team_id, user_id=SECOND_MANAGER,
                                       role="manager", actor="test")
    root = open_conversation(app, fake_slack, fake_twilio)
    with app.core.session_factory() as session:
        conversation_id = int(session.scalars(select(Conversation.id)).one())
    scene = Scene(app, fake_slack, fake_twilio, root, conversation_id, {})
    _open_views(scene)
    sends_before = len(fake_twilio.created)

    actual: dict[str, dict[str, str]] = {}
    wrong: list[str] = []
    for action, run in ACTIONS.items():
        for role, user in ROLES.items():
            expected = POLICY[action][role]
            outcome = run(scene, user, expected != ALLOW)
            got = ALLOW if outcome.effect else (REFUSE if outcome.told else IGNORE)
            if outcome.status >= 500:
                got = f"HTTP {outcome.status}"
            actual.setdefault(action, {})[role] = got
            if got != expected:
                wrong.append(f"{action} by {role}: expected {expected}, got {got}")

    allowed_sends = sum(POLICY[a][r] == ALLOW for a in ("thread reply", "New message (compose)")
                        for r in ROLES)
    fake_twilio.wait_for(lambda: len(fake_twilio.created) - sends_before >= allowed_sends,
                         timeout=20)
    cells = sum(len(row) for row in POLICY.values())
    record("authorization", "matrix cells checked (role × action)", cells)
    record("authorization", "cells differing from the policy", len(wrong), target="0")
    record("authorization", "SMS sent by refused cells",
           len(fake_twilio.created) - sends_before - allowed_sends, target="0")
    assert wrong == [], json.dumps(actual, indent=1)
    assert len(fake_twilio.created) - sends_before == allowed_sends
