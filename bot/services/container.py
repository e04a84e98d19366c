"""The services handlers call: one object per concern, built once in `bot.app`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.admin import AdminService
from bot.services.compose import ComposeService
from bot.services.contacts import ContactService
from bot.services.directory import DirectoryService
from bot.services.escalation_settings import EscalationSettingsService
from bot.services.escalations import EscalationService
from bot.services.health import HealthService
from bot.services.home import HomeService
from bot.services.inbound import InboundService
from bot.services.lifecycle import LifecycleService
from bot.services.outbound_media import MediaService
from bot.services.replies import ReplyService
from bot.services.status import StatusService


@dataclass(frozen=True)
class Services:
    inbound: InboundService
    replies: ReplyService
    status: StatusService
    admin: AdminService
    health: HealthService
    lifecycle: LifecycleService
    escalations: EscalationService
    escalation_settings: EscalationSettingsService
    media: MediaService
    # issue 4: compose and profile
    directory: DirectoryService
    compose: ComposeService
    contacts: ContactService
    home: HomeService
