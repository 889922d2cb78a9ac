"""Reading one field of a content file: the problems found so far, unknown keys, text.

Shared by `content` (courses, lessons, labs, quizzes) and `prediction_content` (a lab's
predict-then-run questions), which `content` calls: apart from both so neither imports the
other's reader back.
"""

from collections.abc import Mapping


class Problems:
    """Every problem of a content read, as "<file>: <field>: <reason>", in the order found."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, where: str, reason: str) -> None:
        self.items.append(f"{path}: {where}: {reason}" if where else f"{path}: {reason}")


def check_keys(problems: Problems, path: str, where: str, data: Mapping[str, object],
               allowed: set[str]) -> None:
    for key in sorted(set(data) - allowed):
        allowed_list = ", ".join(sorted(allowed))
        problems.add(path, f"{where}{key}", f"unknown field (allowed: {allowed_list})")


def text_field(problems: Problems, path: str, where: str, data: Mapping[str, object], key: str,
               *, required: bool = True) -> str:
    value = data.get(key)
    if value is None:
        if required:
            problems.add(path, f"{where}{key}", "is required")
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        problems.add(path, f"{where}{key}", "must be text")
        return ""
    if required and not str(value).strip():
        problems.add(path, f"{where}{key}", "must not be empty")
    return str(value)
