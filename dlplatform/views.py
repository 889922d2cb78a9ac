from django.contrib.auth import login
from django.shortcuts import redirect, render

from dlplatform.forms import SignUpForm


def signup(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user)
        return redirect(request.GET.get("next") or "dashboard")
    return render(request, "registration/signup.html", {"form": form})
