"""The quizzes cannot be passed by reading surface cues instead of understanding.

Each guesser below answers every question of the shipped course from the wording alone,
never from the meaning: the longest option, the most qualified one, the one without an
absolute word, the one sharing most words or numbers with the prompt, or (multiple-choice)
every option. Over the whole bank, none may score clearly above what blind guessing gets.
Item-writing rules (../shared/teaching.md) are checked the same way: the right option is not
usually the longest, multiple-choice questions do not usually have all options but one right,
and no right option repeats a number from its prompt.
"""

import math
import re
from pathlib import Path

import pytest
from django.conf import settings

from lessons.content import read_content

ABSOLUTE = re.compile(r"\b(always|never|only|all|none|every|no|cannot|must|guarantee[sd]?)\b",
                      re.IGNORECASE)
QUALIFIERS = re.compile(
    r"\b(usually|often|may|might|can|some|most|tends?|typically|roughly|about|generally|"
    r"depends?|unless|when|if|because|so that|while)\b", re.IGNORECASE)
WORD = re.compile(r"[a-z]+")
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?")
STOP = {"the", "a", "an", "of", "to", "in", "is", "it", "and", "or", "on", "for", "with", "as",
        "by", "its", "be", "that", "this", "what", "which", "are", "at", "from", "your", "you"}


def _questions() -> list[dict]:
    content = Path(settings.BASE_DIR) / "content"
    return [q for course in read_content(content) for lesson in course.lessons
            if lesson.data["quiz"] for q in lesson.data["quiz"]["questions"]]


QUESTIONS = _questions()
SINGLE = [q for q in QUESTIONS if q["kind"] == "single"]
MULTIPLE = [q for q in QUESTIONS if q["kind"] == "multiple"]


def _length(choice: dict) -> int:
    return len(choice["text"])


def _words(text: str) -> set[str]:
    return set(WORD.findall(text.lower())) - STOP


def _numbers(text: str) -> set[str]:
    return set(NUMBER.findall(text))


def _overlap(question: dict, choice: dict) -> int:
    prompt = question["prompt"]
    return (len(_words(prompt) & _words(choice["text"]))
            + 3 * len(_numbers(prompt) & _numbers(choice["text"])))


GUESSERS = {
    "longest": lambda q: max(q["choices"], key=_length),
    "most qualified": lambda q: max(q["choices"],
                                    key=lambda c: len(QUALIFIERS.findall(c["text"]))),
    "fewest absolute words": lambda q: min(q["choices"],
                                           key=lambda c: len(ABSOLUTE.findall(c["text"]))),
    "most shared with the prompt": lambda q: max(q["choices"], key=lambda c: _overlap(q, c)),
}


def _chance(questions: list[dict]) -> float:
    return sum(1 / len(q["choices"]) for q in questions)


def _clearly_above_chance(hits: int, questions: list[dict]) -> bool:
    """More hits than chance plus two standard deviations of blind guessing (and 10 points)."""
    expected = _chance(questions)
    spread = math.sqrt(sum((1 / len(q["choices"])) * (1 - 1 / len(q["choices"]))
                           for q in questions))
    return hits > max(expected + 2 * spread, expected + 0.10 * len(questions))


def test_the_bank_has_questions_of_each_kind():
    assert len(SINGLE) >= 40 and len(MULTIPLE) >= 10


@pytest.mark.parametrize("guesser", sorted(GUESSERS))
def test_a_surface_cue_does_not_find_the_right_single_choice(guesser):
    """Ties go to the first option in file order, as a guesser reading top-down would."""
    hits = sum(GUESSERS[guesser](q)["is_correct"] for q in SINGLE)
    assert not _clearly_above_chance(hits, SINGLE), (
        f"'{guesser}' picks the right option in {hits} of {len(SINGLE)} questions "
        f"(blind guessing: {_chance(SINGLE):.1f})")


@pytest.mark.parametrize("guesser", sorted(GUESSERS))
def test_a_surface_cue_does_not_sort_multiple_choice_options(guesser):
    """Multiple choice, per option: a guesser ticks the options its cue ranks in the top half.
    Scored per option (right when ticked exactly when correct), against half the options."""
    rank = {
        "longest": _length,
        "most qualified": lambda c: len(QUALIFIERS.findall(c["text"])),
        "fewest absolute words": lambda c: -len(ABSOLUTE.findall(c["text"])),
    }
    decided = right = 0
    for q in MULTIPLE:
        key = rank.get(guesser) or (lambda c, q=q: _overlap(q, c))
        ordered = sorted(q["choices"], key=key, reverse=True)
        ticked = {id(c) for c in ordered[: len(ordered) // 2]}
        for choice in q["choices"]:
            decided += 1
            right += (id(choice) in ticked) == choice["is_correct"]
    assert right / decided <= 0.65, f"'{guesser}' decides {right} of {decided} options right"


def test_ticking_every_option_rarely_passes_a_multiple_choice_question():
    all_right = [q for q in MULTIPLE if all(c["is_correct"] for c in q["choices"])]
    assert len(all_right) <= len(MULTIPLE) / 6, [q["prompt"][:60] for q in all_right]


def test_the_right_option_is_not_usually_the_longest():
    longest = [q for q in SINGLE if max(q["choices"], key=_length)["is_correct"]]
    assert len(longest) <= len(SINGLE) / 3, f"{len(longest)} of {len(SINGLE)}"


def test_multiple_choice_does_not_usually_have_all_but_one_right():
    all_but_one = [q for q in MULTIPLE
                   if sum(bool(c["is_correct"]) for c in q["choices"]) == len(q["choices"]) - 1]
    assert len(all_but_one) <= len(MULTIPLE) / 3, f"{len(all_but_one)} of {len(MULTIPLE)}"


def test_the_number_of_right_options_varies_in_multiple_choice():
    counts = {sum(bool(c["is_correct"]) for c in q["choices"]) for q in MULTIPLE}
    assert len(counts) >= 3, counts


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q["prompt"][:50])
def test_no_right_option_repeats_a_number_from_its_prompt(question):
    if question["kind"] == "numeric":
        return
    prompt_numbers = _numbers(question["prompt"])
    for choice in question["choices"]:
        if choice["is_correct"]:
            assert not prompt_numbers & _numbers(choice["text"]), choice["text"]
