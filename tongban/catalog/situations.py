"""The situation question tree of a guide (情形引导): answers → one situation.

Pure functions of a ``GuideContent``, used by the portal's guide page and, later,
by applications (the materials a case needs depend on the applicant's situation).
"""

from __future__ import annotations

from dataclasses import dataclass

from tongban.catalog.content import GuideContent, MaterialRequirement, Question, Situation


@dataclass(frozen=True)
class Asked:
    question: Question
    chosen: str  # the option code answered, or "" for the question still open


@dataclass(frozen=True)
class Walk:
    asked: list[Asked]
    finished: bool
    situation: Situation | None
    materials: list[MaterialRequirement]  # empty until the walk is finished


def first_question(guide: GuideContent) -> Question | None:
    """The root of the tree: a question no answer leads to (else the first one)."""
    followers = {o.next_question for q in guide.questions for o in q.options if o.next_question}
    roots = [q for q in guide.questions if q.code not in followers]
    candidates = roots or guide.questions
    return candidates[0] if candidates else None


def materials_for(guide: GuideContent, situation: str | None) -> list[MaterialRequirement]:
    """The materials of the guide for one situation (``None``: the general case)."""
    return [m for m in guide.materials if not m.situations or (situation in m.situations)]


def situation_walk(guide: GuideContent, answers: dict[str, str]) -> Walk:
    """Follow ``answers`` (question code → option code) through the questions.

    Stops at the first unanswered question; an answer that leads nowhere
    further ends the walk. A loop in the questions ends it too.
    """
    by_code = {q.code: q for q in guide.questions}
    situations = {s.code: s for s in guide.situations}
    asked: list[Asked] = []
    question = first_question(guide)
    situation: Situation | None = None
    finished = False
    while question is not None and len(asked) < len(by_code):
        option = next((o for o in question.options if o.code == answers.get(question.code)), None)
        asked.append(Asked(question, option.code if option else ""))
        if option is None:
            break
        if option.situation:
            situation = situations.get(option.situation)
        following = option.next_question
        if following and following in by_code:
            if any(a.question.code == following for a in asked):
                finished = True
                break
            question = by_code[following]
            continue
        finished = True
        break
    materials = materials_for(guide, situation.code if situation else None) if finished else []
    return Walk(asked, finished, situation, materials)
