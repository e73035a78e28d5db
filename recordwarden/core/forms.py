"""USWDS classes on Django form widgets, so templates stay plain."""

from django import forms


class UswdsFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            if isinstance(widget, forms.Select):
                css = "usa-select"
            elif isinstance(widget, forms.Textarea):
                css = "usa-textarea"
            elif isinstance(widget, forms.CheckboxInput):
                css = "usa-checkbox__input"
            elif isinstance(widget, forms.FileInput):
                css = "usa-file-input"
            else:
                css = "usa-input"
            widget.attrs.setdefault("class", css)
            if field.help_text:
                widget.attrs.setdefault("aria-describedby", f"id_{name}-hint")
