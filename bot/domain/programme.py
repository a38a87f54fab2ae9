"""The programme model: programme -> modules -> stages -> activities, loaded from `content/`.

Everything a person is asked to do has a stable reference ``module/stage/activity`` that
progress, reflections and reminders use; ids are short slugs so references fit in a
Telegram ``callback_data`` (64 bytes).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from bot.domain.text import LocalText

SLUG = r"^[a-z0-9][a-z0-9-]{0,23}$"


class Strict(BaseModel):
    """Unknown keys in a data file are an error, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class StageKind(StrEnum):
    PRE_WORK = "pre_work"
    GATHERING = "gathering"
    AFTER_WORK = "after_work"
    SELF_STUDY = "self_study"
    REFLECTION = "reflection"
    WORKSHOP = "workshop"
    DIGILOG = "digilog"
    QUIZ = "quiz"
    LABS = "labs"


class ActivityKind(StrEnum):
    RESOURCE = "resource"  # watch, read, listen: informational, may be marked done
    REFLECTION = "reflection"  # a prompt answered in chat
    GROUP_TASK = "group_task"  # done together in the leader group; someone presses "done"
    AMBITION = "ambition"  # the leader group's ambition-level exercise
    SURVEY = "survey"  # a 1-5 self-assessment
    QUIZ = "quiz"
    LAB = "lab"  # the labs the person chose (Swedish model)


#: Activities that reminders chase until they are completed. A quiz counts once it is
#: finished in chat (``bot.features.quiz``).
TRACKED_KINDS = frozenset(
    {
        ActivityKind.REFLECTION,
        ActivityKind.GROUP_TASK,
        ActivityKind.AMBITION,
        ActivityKind.SURVEY,
        ActivityKind.LAB,
        ActivityKind.QUIZ,
    }
)


class QuizQuestion(Strict):
    id: str = Field(pattern=SLUG)
    text: LocalText
    options: list[LocalText]
    #: the right option's index (0 is the first); a list makes it multiple choice, every
    #: listed option to be chosen
    correct: int | list[int]
    explanation: LocalText

    @property
    def multiple(self) -> bool:
        """Multiple choice: the content lists the right options (``correct: [0, 2]``)."""
        return isinstance(self.correct, list)

    @property
    def right(self) -> frozenset[int]:
        """The indexes of every right option."""
        return frozenset(self.correct if isinstance(self.correct, list) else [self.correct])


class Scope(StrEnum):
    PERSON = "person"  # each person does it
    TEAM = "team"  # the organisation's leadership team does it together; one marks it done


#: Kinds of work a leadership team can do together and mark done once (``scope: team``).
TEAM_KINDS = frozenset({ActivityKind.GROUP_TASK, ActivityKind.AMBITION})


class Activity(Strict):
    id: str = Field(pattern=SLUG)
    kind: ActivityKind
    scope: Scope = Scope.PERSON
    title: LocalText
    body: LocalText | None = None  # what to do, or the reflection prompt itself
    url: str | None = None
    minutes: int | None = Field(default=None, ge=1, le=600)
    questions: list[QuizQuestion] = Field(default_factory=list)  # for kind: quiz
    scale: list[LocalText] = Field(default_factory=list)  # for kind: survey, labels of 1..n

    @property
    def tracked(self) -> bool:
        return self.kind in TRACKED_KINDS


class Stage(Strict):
    id: str = Field(pattern=SLUG)
    kind: StageKind
    title: LocalText
    summary: LocalText
    activities: list[Activity] = Field(default_factory=list)


class Module(Strict):
    id: str = Field(pattern=SLUG)
    title: LocalText
    summary: LocalText
    stages: list[Stage]

    def stage(self, stage_id: str) -> Stage | None:
        return next((s for s in self.stages if s.id == stage_id), None)


class LabKind(StrEnum):
    LEADING_DIGITALLY = "leading_digitally"
    METHODS = "methods"


class Lab(Strict):
    id: str = Field(pattern=SLUG)
    kind: LabKind
    title: LocalText
    summary: LocalText
    task: LocalText
    reflection: LocalText


class Programme(Strict):
    id: str = Field(pattern=SLUG)
    title: LocalText
    summary: LocalText
    locales: list[str] = Field(min_length=1)  # every text must exist in each of these
    default_locale: str
    modules: list[Module]
    labs: list[Lab] = Field(default_factory=list)
    labs_title: LocalText | None = None  # what the lab track is called, e.g. "Lärlabb"
    labs_summary: LocalText | None = None  # one or two sentences on how labs work

    def module(self, module_id: str) -> Module | None:
        return next((m for m in self.modules if m.id == module_id), None)

    def activity(self, ref: str) -> tuple[Module, Stage, Activity] | None:
        """Resolve ``module/stage/activity`` to its parts (labs included), or None."""
        parts = ref.split("/")
        if len(parts) != 3:
            return None
        module = self.labs_module() if parts[0] == LABS_MODULE else self.module(parts[0])
        stage = module.stage(parts[1]) if module else None
        found = next((a for a in stage.activities if a.id == parts[2]), None) if stage else None
        if module is None or stage is None or found is None:
            return None
        return module, stage, found

    def lab(self, lab_id: str) -> Lab | None:
        return next((lab for lab in self.labs if lab.id == lab_id), None)

    def labs_module(self, chosen: tuple[str, ...] | None = None) -> Module:
        """The lab track as a module with one stage holding, for each lab (``chosen`` ones only,
        when given), its practical task and its reflection; refs are ``labs/chosen/<lab>`` and
        ``labs/chosen/<lab>.reflection``, so progress, reminders and status treat labs like any
        other work."""
        title = self.labs_title or {locale: "Lab" for locale in self.locales}
        activities: list[Activity] = []
        for lab in self.labs:
            if chosen is not None and lab.id not in chosen:
                continue
            # model_construct: ids derived from a validated lab id need no second validation
            activities.append(
                Activity.model_construct(
                    id=lab.id,
                    kind=ActivityKind.LAB,
                    title=_labelled(lab.title, _TASK),
                    body=lab.task,
                    url=None,
                    minutes=None,
                    questions=[],
                    scale=[],
                )
            )
            activities.append(
                Activity.model_construct(
                    id=f"{lab.id}{LAB_REFLECTION}",
                    kind=ActivityKind.REFLECTION,
                    title=_labelled(lab.title, _REFLECTION),
                    body=lab.reflection,
                    url=None,
                    minutes=None,
                    questions=[],
                    scale=[],
                )
            )
        stage = Stage.model_construct(
            id=LABS_STAGE,
            kind=StageKind.LABS,
            title=title,
            summary=self.labs_summary or title,
            activities=activities,
        )
        return Module.model_construct(
            id=LABS_MODULE, title=self.title, summary=title, stages=[stage]
        )


#: The lab track's reserved module and stage ids, and the suffix of a lab's reflection.
LABS_MODULE = "labs"
LABS_STAGE = "chosen"
LAB_REFLECTION = ".reflection"


#: Words that tell a lab's two parts apart in lists ("Säkra dina konton (uppgift)").
_TASK = {"nb": "oppgave", "nn": "oppgåve", "sv": "uppgift", "en": "task"}
_REFLECTION = {"nb": "refleksjon", "nn": "refleksjon", "sv": "reflektion", "en": "reflection"}


def _labelled(title: LocalText, word: LocalText) -> LocalText:
    return {locale: f"{text} ({word.get(locale, word['en'])})" for locale, text in title.items()}


def activity_ref(module: Module, stage: Stage, activity: Activity) -> str:
    return f"{module.id}/{stage.id}/{activity.id}"
