"""Form widgets that render in Python instead of through Django's widget templates.

The ticket page's sidebar is a form of six fields, each also written as a hidden "initial" copy;
Django renders every widget, attribute list and option through a template of its own, which cost
about a fifth of the whole page. These produce the same HTML (the attributes in the same order, a
True attribute written bare, a False one left out) straight from the widget's context.
"""

from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict[str, Any]) -> SafeString:
    """As django/forms/widgets/attrs.html writes them: in order, True bare, False left out."""
    return mark_safe(
        "".join(  # noqa: S308 - every part went through format_html
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value))
            for name, value in attrs.items()
            if value is not False
        )
    )


def _input(widget: dict[str, Any]) -> SafeString:
    value = widget["value"]
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        widget["type"],
        widget["name"],
        format_html(' value="{}"', value) if value is not None else "",
        _attrs(widget["attrs"]),
    )


class QuickTextInput(forms.TextInput):
    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        return _input(self.get_context(name, value, attrs)["widget"])


class QuickHiddenInput(forms.HiddenInput):
    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        return _input(self.get_context(name, value, attrs)["widget"])


class QuickSelect(forms.Select):
    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts: list[str] = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            rendered = format_html_join(
                "", '<option value="{}"{}>{}</option>',
                ((o["value"], _attrs(o["attrs"]), o["label"]) for o in options),
            )  # fmt: skip
            if group_name:
                rendered = format_html('<optgroup label="{}">{}</optgroup>', group_name, rendered)
            parts.append(rendered)
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part went through format_html


class QuickRadioSelect(forms.RadioSelect):
    """Radio buttons a template lays out itself (`{% for choice in field %}{{ choice.tag }}`): each
    button's `<input>` is written here; anything else still renders through Django's templates."""

    def _render(self, template_name: str, context: dict[str, Any], renderer: Any = None) -> SafeString:
        widget = context["widget"]
        if template_name == self.option_template_name and not widget.get("wrap_label"):
            return _input(widget)
        # Widget._render (Django's own, since 1.11) is what BoundWidget.tag calls; the stubs omit it.
        return super()._render(template_name, context, renderer)  # type: ignore[misc,no-any-return]


class QuickClearableFileInput(forms.ClearableFileInput):
    """A file input; only one that shows a file already stored ("Currently: …", "Clear") takes the
    template."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        if widget["is_initial"]:
            return super().render(name, value, attrs, renderer)  # type: ignore[no-any-return]
        return _input(widget)
