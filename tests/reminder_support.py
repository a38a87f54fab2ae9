"""Test support for the reminder tests: a transport that records when (in local time) each
message arrived, and small cohorts built in Python around DST and Nordic holidays."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.catalog import Catalog
from bot.domain.clock import FakeClock
from bot.domain.cohort import Cohort, StageDates
from bot.domain.markup import plain
from bot.domain.messages import Address, Rendered
from bot.transports.memory import MemoryTransport
from tests.helpers import Harness, shipped_catalog


@dataclass
class Received:
    chat: str
    at: datetime  # local time of the cohort
    text: str

    @property
    def first_line(self) -> str:
        return self.text.splitlines()[0] if self.text else ""


@dataclass
class Recorder:
    """Wraps the memory transport and notes the clock at every send."""

    inner: MemoryTransport
    clock: FakeClock
    tz: ZoneInfo
    log: list[Received] = field(default_factory=list)

    @property
    def platform(self) -> str:
        return self.inner.platform

    @property
    def max_text(self) -> int:
        return self.inner.max_text

    async def send(self, address: Address, message: Rendered) -> str:
        result = await self.inner.send(address, message)
        self.log.append(
            Received(address.chat_id, self.clock.now().astimezone(self.tz), plain(message.text))
        )
        return result

    def of(self, chat: str) -> list[Received]:
        return [r for r in self.log if r.chat == chat]


def record(h: Harness) -> Recorder:
    recorder = Recorder(h.transport, h.clock, h.cohort.tz)
    h.app.transports["memory"] = recorder  # type: ignore[assignment]
    return recorder


def cohort_catalog(
    cohort_id: str,
    stages: dict[str, tuple[date, date]],
    *,
    timezone: str = "Europe/Oslo",
    country: str = "NO",
    locale: str = "nb",
    gatherings: list[tuple[str, date]] | None = None,
) -> Catalog:
    """The shipped demo programme with a cohort of the demo's people on other dates."""
    base = shipped_catalog()
    demo = base.cohort("demo")
    sched = demo.modules[0]
    module = sched.model_copy(
        update={
            "stages": {k: StageDates(opens=o, due=d) for k, (o, d) in stages.items()},
            "gatherings": [
                g.model_copy(update={"group": group, "date": day})
                for g, (group, day) in zip(sched.gatherings, gatherings or [], strict=False)
            ],
        }
    )
    cohort = Cohort.model_validate(
        {
            **demo.model_dump(),
            "id": cohort_id,
            "timezone": timezone,
            "country": country,
            "locale": locale,
            "modules": [module.model_dump()],
            "events": [],
        }
    )
    return Catalog(programmes=dict(base.programmes), cohorts={cohort_id: cohort})
