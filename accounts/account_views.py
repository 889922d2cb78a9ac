"""The learner's account page: who they are, their e-mail address, their API tokens (create,
list, revoke), a download of all their data and deleting the account.

Thin views over accounts.tokens and accounts.personal_data. A new key is rendered in the
POST's own response and nowhere else: it is not stored (not even in the session), so it is
shown exactly once.
"""

import json

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import personal_data, tokens
from accounts.forms import ApiTokenForm, DeleteAccountForm, EmailForm, SignUpForm


@login_required
def account(request):
    form = ApiTokenForm(request.POST or None)
    new_token = new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            new_token, new_key = tokens.create_token(request.user, form.cleaned_data["name"])
        except tokens.InvalidTokenName as exc:
            form.add_error("name", str(exc))
        else:
            form = ApiTokenForm()  # blank again, for the next token
    return render(request, "registration/account.html", {
        "form": form,
        "new_token": new_token,
        "new_key": new_key,
        "api_tokens": tokens.active_tokens(request.user),
        "email_form": EmailForm(instance=request.user),
    })


@login_required
@require_POST
def change_email(request):
    form = EmailForm(request.POST, instance=request.user)
    if form.is_valid():
        form.save()
        messages.success(request, "E-mail address saved.")
        return redirect("account")
    return render(request, "registration/account.html", {
        "form": ApiTokenForm(), "api_tokens": tokens.active_tokens(request.user),
        "email_form": form,
    }, status=400)


@login_required
@never_cache
def download_data(request):
    """All of the person's data as a JSON file (runs' full histories: each run's page)."""
    data = personal_data.export_for(request.user)
    filename = f"dlp-{request.user.username}-{timezone.now():%Y-%m-%d}.json"
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def delete_account(request):
    form = DeleteAccountForm(request.user, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                counts = personal_data.delete_account(request.user)
            except personal_data.AccountNotDeletable as exc:
                form.add_error(None, str(exc))
            else:
                logout(request)
                messages.success(
                    request, f"Your account is deleted, with its {counts['runs']} runs and "
                    f"{counts['models']} deployed models.")
                return redirect("home")
        status = 400
    return render(request, "registration/delete_account.html", {"form": form}, status=status)


@login_required
@require_POST
def revoke_api_token(request, token_id: int):
    token = tokens.revoke_token(request.user, token_id)
    if token is None:
        raise Http404("No such token.")
    messages.success(request, f"Token “{token.name}” revoked: its key no longer works.")
    return redirect("account")


def signup(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user)
        return redirect(request.GET.get("next") or "dashboard")
    return render(request, "registration/signup.html", {"form": form})
