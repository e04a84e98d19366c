"""App Home: published when opened; the default-number control; admin windows, whose
submissions the service re-checks (only admins) before changing anything."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.blocks import ids
from bot.blocks.admin import build_add_number_modal, build_assign_modal, build_roles_modal
from bot.blocks.home import build_home
from bot.errors import InvalidInput, SmsBridgeError
from bot.services.container import Services
from handlers.slack.payload import input_values, team_of, user_of


def _publish(services: Services, client: WebClient, team_id: str, user: str) -> None:
    client.views_publish(user_id=user, view=build_home(services.home.home(
        team_id=team_id, user=user
    )))


def _errors(exc: SmsBridgeError, blocks: dict[str, str], fallback: str) -> dict[str, str]:
    field = exc.field if isinstance(exc, InvalidInput) else None
    return {blocks.get(field or "", fallback): str(exc)}


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("tab", "home") != "home":
            return
        _publish(services, client, context.team_id or "", str(event["user"]))

    @app.action(ids.HOME_DEFAULT_NUMBER)
    def on_default_number(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
        context: BoltContext,
    ) -> None:
        ack()
        team_id, user = team_of(context, body), user_of(body)
        try:
            services.home.set_default(
                team_id=team_id, user=user, number_id=int(action["selected_option"]["value"])
            )
        except SmsBridgeError as exc:
            client.chat_postMessage(channel=user, text=f"Default not changed: {exc}")
        _publish(services, client, team_id, user)

    @app.action(ids.ESCALATIONS_CHANNEL_SELECT)
    def on_escalations_channel(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
        context: BoltContext,
    ) -> None:
        ack()
        team_id, user = team_of(context, body), user_of(body)
        try:
            services.escalation_settings.set_channel_as_member(
                team_id=team_id, user=user, channel_id=str(action["selected_conversation"])
            )
        except SmsBridgeError as exc:
            client.chat_postMessage(channel=user, text=f"Escalations channel not changed: {exc}")
        _publish(services, client, team_id, user)

    @app.action(ids.HOME_ADD_NUMBER)
    def on_add_number(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=build_add_number_modal())

    @app.action(ids.HOME_ASSIGN)
    def on_assign(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        ack()
        data = services.home.home(team_id=team_of(context, body), user=user_of(body))
        client.views_open(
            trigger_id=body["trigger_id"], view=build_assign_modal(data.all_numbers)
        )

    @app.action(ids.HOME_ROLES)
    def on_roles(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=build_roles_modal())

    @app.view(ids.ADD_NUMBER_VIEW)
    def on_add_number_submit(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
        context: BoltContext,
    ) -> None:
        state = input_values(view, ids.ADMIN_INPUT)
        team_id, user = team_of(context, body), user_of(body)
        try:
            services.home.add_number(
                team_id=team_id, actor=user,
                number=state.get(ids.ADMIN_NUMBER_BLOCK, {}).get("value") or "",
                channel_id=state.get(ids.ADMIN_CHANNEL_BLOCK, {}).get("selected_conversation")
                or "",
                label=state.get(ids.ADMIN_LABEL_BLOCK, {}).get("value"),
            )
        except SmsBridgeError as exc:
            blocks = {"number": ids.ADMIN_NUMBER_BLOCK, "channel": ids.ADMIN_CHANNEL_BLOCK}
            ack(response_action="errors", errors=_errors(exc, blocks, ids.ADMIN_NUMBER_BLOCK))
            return
        ack()
        _publish(services, client, team_id, user)

    @app.view(ids.ASSIGN_VIEW)
    def on_assign_submit(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
        context: BoltContext,
    ) -> None:
        state = input_values(view, ids.ADMIN_INPUT)
        team_id, user = team_of(context, body), user_of(body)
        number = (state.get(ids.ADMIN_NUMBER_BLOCK, {}).get("selected_option") or {}).get("value")
        change = (state.get(ids.ADMIN_CHANGE_BLOCK, {}).get("selected_option") or {}).get("value")
        try:
            if not number or not number.isdigit():
                raise InvalidInput("Choose an SMS number.", field="number")
            services.home.change_assignment(
                team_id=team_id, actor=user, number_id=int(number),
                user_id=state.get(ids.ADMIN_USER_BLOCK, {}).get("selected_user") or "",
                change=change or "",
            )
        except SmsBridgeError as exc:
            blocks = {"number": ids.ADMIN_NUMBER_BLOCK, "user": ids.ADMIN_USER_BLOCK,
                      "change": ids.ADMIN_CHANGE_BLOCK}
            ack(response_action="errors", errors=_errors(exc, blocks, ids.ADMIN_USER_BLOCK))
            return
        ack()
        _publish(services, client, team_id, user)

    @app.view(ids.ROLES_VIEW)
    def on_roles_submit(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
        context: BoltContext,
    ) -> None:
        state = input_values(view, ids.ADMIN_INPUT)
        team_id, user = team_of(context, body), user_of(body)
        role = (state.get(ids.ADMIN_ROLE_BLOCK, {}).get("selected_option") or {}).get("value")
        change = (state.get(ids.ADMIN_CHANGE_BLOCK, {}).get("selected_option") or {}).get("value")
        try:
            services.home.change_role(
                team_id=team_id, actor=user,
                user_id=state.get(ids.ADMIN_USER_BLOCK, {}).get("selected_user") or "",
                role=role or "", grant=change != "revoke",
            )
        except SmsBridgeError as exc:
            blocks = {"user": ids.ADMIN_USER_BLOCK, "role": ids.ADMIN_ROLE_BLOCK}
            ack(response_action="errors", errors=_errors(exc, blocks, ids.ADMIN_USER_BLOCK))
            return
        ack()
        _publish(services, client, team_id, user)
