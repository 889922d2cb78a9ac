"""The learner's account page: who they are, and their API tokens (create, list, revoke).

Thin views over dlplatform.tokens. A new key is rendered in the POST's own response and
nowhere else: it is not stored (not even in the session), so it is shown exactly once.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dlplatform import tokens
from dlplatform.forms import ApiTokenForm


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
    })


@login_required
@require_POST
def revoke_api_token(request, token_id: int):
    token = tokens.revoke_token(request.user, token_id)
    if token is None:
        raise Http404("No such token.")
    messages.success(request, f"Token “{token.name}” revoked: its key no longer works.")
    return redirect("account")
