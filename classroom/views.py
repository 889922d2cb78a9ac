"""Pages of the classroom: my classes, join one, and a class's page and grade book for its
instructors. A class that is not yours is a 404, as if it did not exist."""

from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.instructors import is_class_instructor
from classroom import exports, selectors, services
from lessons.selectors import courses_visible_to

INACTIVE_AFTER = timedelta(days=7)


class CohortForm(forms.Form):
    name = forms.CharField(max_length=120, label="Class name")
    course = forms.ModelChoiceField(queryset=None, empty_label=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses_visible_to(user=user)


class JoinForm(forms.Form):
    code = forms.CharField(max_length=40, label="Class code")


def _classes_page(request, *, join_form=None, cohort_form=None, status=200):
    user = request.user
    context = {
        "taught": list(selectors.cohorts_taught_by(user=user)),
        "joined": list(selectors.cohorts_joined_by(user=user)),
        "is_instructor": is_class_instructor(user),
        "join_form": join_form or JoinForm(initial={"code": request.GET.get("code", "")}),
        "cohort_form": cohort_form or CohortForm(user=user),
    }
    return render(request, "classroom/classes.html", context, status=status)


@login_required
def classes(request):
    return _classes_page(request)


@login_required
@require_POST
def class_create(request):
    form = CohortForm(request.POST, user=request.user)
    if not form.is_valid():
        return _classes_page(request, cohort_form=form, status=400)
    try:
        cohort = services.cohort_create(
            instructor=request.user, name=form.cleaned_data["name"],
            course=form.cleaned_data["course"],
        )
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return _classes_page(request, cohort_form=form, status=400)
    messages.success(request, f"Class “{cohort.name}” created: learners join with code "
                              f"{cohort.join_code}.")
    return redirect("class-detail", cohort_id=cohort.pk)


@login_required
def class_join(request, code: str = ""):
    """GET: the join form (a join link fills the code in). POST: join."""
    if request.method != "POST":
        form = JoinForm(initial={"code": code or request.GET.get("code", "")})
        cohort = selectors.cohort_open_for_joining(code=services.normalize_code(code))
        return render(request, "classroom/join.html", {"form": form, "cohort": cohort})
    form = JoinForm(request.POST)
    if form.is_valid():
        try:
            cohort, created = services.cohort_join(learner=request.user,
                                                   code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc.message_dict.get("code", exc.messages))
        else:
            verb = "You joined" if created else "You are already in"
            messages.success(request, f"{verb} the class “{cohort.name}”.")
            return redirect("classes")
    return render(request, "classroom/join.html", {"form": form, "cohort": None}, status=400)


@login_required
@require_POST
def class_leave(request, cohort_id: int):
    cohort = selectors.cohorts_joined_by(user=request.user).filter(pk=cohort_id).first()
    if cohort is None:
        raise Http404("No such class.")
    services.cohort_leave(learner=request.user, cohort=cohort)
    messages.info(request, f"You left the class “{cohort.name}”.")
    return redirect("classes")


def _taught_or_404(request, cohort_id: int):
    cohort = selectors.cohort_for_instructor(user=request.user, cohort_id=cohort_id)
    if cohort is None:
        raise Http404("No such class.")
    return cohort


def _filtered(rows, *, query: str, activity: str):
    if query:
        rows = [row for row in rows if query.lower() in row.learner.username.lower()]
    since = timezone.now() - INACTIVE_AFTER
    if activity == "active":
        rows = [row for row in rows if row.last_activity and row.last_activity >= since]
    elif activity == "inactive":
        rows = [row for row in rows if not row.last_activity or row.last_activity < since]
    return rows


COLUMNS = [("name", "Learner"), ("progress", "Lessons completed"), ("score", "Mean quiz score"),
           ("challenges", "Challenges passed"), ("predictions", "Predictions"),
           ("runs", "Runs"), ("activity", "Last activity")]


def _sort_links(filters: dict, *, sort: str, descending: bool) -> list[dict]:
    """Each column's header: a link that sorts by it (again: the other way round)."""
    links = []
    for key, label in COLUMNS:
        flip = key == sort and not descending
        query = urlencode({**{k: v for k, v in filters.items() if v}, "sort": key,
                           **({"dir": "desc"} if flip else {})})
        order = ("descending" if descending else "ascending") if key == sort else "none"
        links.append({"key": key, "label": label, "href": f"?{query}", "aria_sort": order})
    return links


@login_required
def class_detail(request, cohort_id: int):
    cohort = _taught_or_404(request, cohort_id)
    book = selectors.gradebook(cohort=cohort)
    sort = request.GET.get("sort", "name")
    sort = sort if sort in selectors.SORT_KEYS else "name"
    descending = request.GET.get("dir") == "desc"
    filters = {"q": request.GET.get("q", "").strip()[:100],
               "activity": request.GET.get("activity", "")}
    rows = _filtered(book.rows, query=filters["q"], activity=filters["activity"])
    items = selectors.item_analysis(cohort=cohort)
    join_url = request.build_absolute_uri(reverse("class-join-code", args=[cohort.join_code]))
    rows = selectors.sorted_rows(rows, sort=sort, descending=descending)
    for row in rows:
        row.challenge_cells = [row.challenges.get(c.pk) for c in book.challenges]
    context = {
        "cohort": cohort,
        "book": book,
        "rows": rows,
        "columns": _sort_links(filters, sort=sort, descending=descending),
        "filters": filters,
        "most_missed": next((s for s in items if s.missed), None),
        "items": items[:10],
        "join_url": join_url,
    }
    return render(request, "classroom/class_detail.html", context)


@login_required
def class_gradebook_csv(request, cohort_id: int):
    cohort = _taught_or_404(request, cohort_id)
    response = HttpResponse(exports.gradebook_csv(selectors.gradebook(cohort=cohort)),
                            content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="class-{cohort.pk}-{stamp}.csv"'
    return response


@login_required
@require_POST
def class_renew_code(request, cohort_id: int):
    cohort = services.cohort_renew_code(cohort=_taught_or_404(request, cohort_id))
    messages.success(request, f"New join code: {cohort.join_code}. The old code and link "
                              "no longer work.")
    return redirect("class-detail", cohort_id=cohort.pk)
