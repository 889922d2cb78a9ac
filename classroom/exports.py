"""The grade book as a table (the CSV export), one row per learner."""

import csv
import io

from classroom.selectors import GradeBook

# A spreadsheet runs a cell that starts with these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if value is None:
        return ""
    text = f"{value:.1f}" if isinstance(value, float) else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def gradebook_table(book: GradeBook) -> list[list[str]]:
    header = ["learner", "joined", "lessons completed", "lessons in course", "quiz attempts",
              "mean best quiz score %"]
    header += [f"quiz: {lesson.title}" for lesson in book.lessons]
    header += ["challenges passed"]
    header += [f"challenge: {c.lab.title}" for c in book.challenges]
    header += ["predictions made", "predictions settled", "predictions right"]
    header += ["runs", "last activity"]
    table = [header]
    for row in book.rows:
        line = [row.learner.username, row.membership.joined_at.date().isoformat(),
                row.lessons_completed, len(book.lessons), row.attempts, row.mean_score]
        line += [row.best_scores.get(lesson.pk) for lesson in book.lessons]
        line += [row.challenges_passed]
        for challenge in book.challenges:
            status = row.challenges.get(challenge.pk)
            line.append("passed" if status and status.passed
                        else "tried" if status and status.runs_counted else "")
        line += [row.predictions.made, row.predictions.settled, row.predictions.right]
        line += [row.runs, row.last_activity.isoformat(timespec="seconds")
                 if row.last_activity else ""]
        table.append([_cell(v) for v in line])
    return table


def gradebook_csv(book: GradeBook) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(gradebook_table(book))
    return out.getvalue()
