from django import forms

from recordwarden.core.forms import UswdsFormMixin


class LoginForm(UswdsFormMixin, forms.Form):
    username = forms.CharField(label="Username or email", max_length=150)
    password = forms.CharField(
        label="Password", strip=False, max_length=256, widget=forms.PasswordInput
    )
    otp_token = forms.CharField(
        label="Six-digit code from your authenticator app (staff)",
        required=False,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )

    def clean_otp_token(self):
        token = self.cleaned_data["otp_token"].strip().replace(" ", "")
        if token and not token.isdigit():
            raise forms.ValidationError("The code is six digits.")
        return token


class ApiTokenForm(UswdsFormMixin, forms.Form):
    name = forms.CharField(
        label="Name of the system that will use the token",
        max_length=100,
        help_text="For example: case-management system, production.",
    )
