from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User

from accounts.tokens import NAME_MAX_LENGTH

# Accounts the platform itself owns (the standard base models' trainer).
RESERVED_USERNAMES = ("platform",)


class SignUpForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_username(self):
        username = super().clean_username()
        if username.lower() in RESERVED_USERNAMES:
            raise forms.ValidationError("This name is reserved by the platform; choose another.")
        return username


class ApiTokenForm(forms.Form):
    """Only the shape of a name; tokens.create_token checks it is free."""

    name = forms.CharField(
        max_length=NAME_MAX_LENGTH, help_text="e.g. laptop, or the script that will use it.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class DeleteAccountForm(forms.Form):
    """Deleting an account cannot be undone: the person confirms with their password."""

    password = forms.CharField(
        label="Your password", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user: User, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password


class EmailForm(forms.ModelForm):
    """The address password-reset links are sent to."""

    class Meta:
        model = User
        fields = ("email",)
        labels = {"email": "E-mail address"}
        help_texts = {"email": "Where a password-reset link goes if you forget your password."}
