"""Write quiz questions into a module's YAML file by hand-editable text, not a re-dump.

Only the quiz's ``questions:`` block is rewritten; every other line of the file (comments,
quoting, key order, flow mappings) stays exactly as the author left it. The block is found from
the YAML node positions, so it does not depend on how the file is indented.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import yaml

from bot.domain.programme import QuizQuestion


@dataclass(frozen=True)
class Span:
    """Lines ``start`` up to (not including) ``end`` hold the block; ``indent`` is the column
    of its ``questions:`` key; ``items`` the lines of each question already there, by id."""

    start: int
    end: int
    indent: int
    items: dict[str, tuple[int, int]]


class NotFound(Exception):
    pass


def _get(node: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return k, v
    return None


def _items(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _scalar(node: yaml.Node, key: str) -> str | None:
    found = _get(node, key)
    return found[1].value if found and isinstance(found[1], yaml.ScalarNode) else None


def questions_span(text: str, stage_id: str, activity_id: str) -> Span:
    """Where the questions of ``stage_id/activity_id`` are (or would go) in a module file."""
    root = yaml.compose(text)
    if root is None:
        raise NotFound("the module file is empty")
    lines = text.splitlines()
    stages = _get(root, "stages")
    for stage in _items(stages[1] if stages else None):
        if _scalar(stage, "id") != stage_id:
            continue
        activities = _get(stage, "activities")
        for activity in _items(activities[1] if activities else None):
            if _scalar(activity, "id") != activity_id or not isinstance(activity, yaml.MappingNode):
                continue
            found = _get(activity, "questions")
            if found is not None:
                key, value = found
                end = _trim(lines, key.start_mark.line, _end_line(lines, value))
                return Span(key.start_mark.line, end, key.start_mark.column, _spans(lines, value))
            last_key, last_value = activity.value[-1]
            end = _trim(lines, last_key.start_mark.line, _end_line(lines, last_value))
            return Span(end, end, activity.value[0][0].start_mark.column, {})
    raise NotFound(f"no activity {stage_id}/{activity_id} in the module file")


def _trim(lines: list[str], start: int, end: int) -> int:
    """Leave the blank lines after a block where they are."""
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return end


def _spans(lines: list[str], block: yaml.Node) -> dict[str, tuple[int, int]]:
    """The lines of each question of a block sequence, by question id."""
    items = _items(block)
    if not isinstance(block, yaml.SequenceNode) or block.flow_style:
        return {}
    spans: dict[str, tuple[int, int]] = {}
    for index, item in enumerate(items):
        start = item.start_mark.line
        end = (
            items[index + 1].start_mark.line if index + 1 < len(items) else _end_line(lines, block)
        )
        question_id = _scalar(item, "id")
        if question_id is not None:
            spans[question_id] = (start, _trim(lines, start, end))
    return spans


def _end_line(lines: list[str], node: yaml.Node) -> int:
    """The first line after ``node`` (a block ends where the next token starts)."""
    mark = node.end_mark
    if mark.line >= len(lines):
        return len(lines)
    before = lines[mark.line][: mark.column]
    return mark.line if not before.strip() else mark.line + 1


def _quoted(text: str) -> str:
    """Plain when YAML reads it back the same (as people write it), else double-quoted."""
    plain = (
        text.strip() == text
        and text[:1].isalnum()
        and not any(
            mark in text for mark in (": ", " #", "\n", "\t", '"', "'", "{", "}", "[", "]", ",")
        )
    )
    try:
        if plain and yaml.safe_load(f"k: {text}") == {"k": text}:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def _flow(text: str) -> str:
    """Inside a flow mapping ``{sv: ...}`` commas and braces end a plain scalar: quote it."""
    return json.dumps(text, ensure_ascii=False)


def _local(text: dict[str, str], locales: list[str]) -> str:
    return "{" + ", ".join(f"{lc}: {_flow(text[lc])}" for lc in locales if lc in text) + "}"


def question_lines(question: QuizQuestion, indent: int, locales: list[str]) -> list[str]:
    """One question as a block sequence item under a ``questions:`` key at ``indent``."""
    pad = " " * indent
    out = [f"{pad}  - id: {question.id}"]
    out.append(f"{pad}    text:")
    out += [f"{pad}      {lc}: {_quoted(question.text[lc])}" for lc in locales]
    out.append(f"{pad}    options:")
    out += [f"{pad}      - {_local(option, locales)}" for option in question.options]
    out.append(f"{pad}    correct: {json.dumps(question.correct)}")
    out.append(f"{pad}    explanation:")
    out += [f"{pad}      {lc}: {_quoted(question.explanation[lc])}" for lc in locales]
    return out


def with_questions(
    text: str,
    stage_id: str,
    activity_id: str,
    questions: list[QuizQuestion],
    locales: list[str],
    unchanged: frozenset[str] = frozenset(),
) -> str:
    """The module file's text with the activity's questions replaced by ``questions``; a
    question in ``unchanged`` keeps its lines exactly as they were."""
    span = questions_span(text, stage_id, activity_id)
    lines = text.splitlines()
    block = [f"{' ' * span.indent}questions:"]
    for question in questions:
        if question.id in unchanged and question.id in span.items:
            start, end = span.items[question.id]
            block += lines[start:end]
        else:
            block += question_lines(question, span.indent, locales)
    new = lines[: span.start] + block + lines[span.end :]
    return "\n".join(new) + "\n"
