from typing import Any

from django import forms
from django.contrib.auth.models import User

from helpwell.people.models import LANGUAGE_CHOICES

from .models import Article, ArticleCategory, Visibility


def agent_name(user: Any) -> str:
    return getattr(getattr(user, "agent", None), "display_name", user.username)


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["title", "category", "visibility", "summary", "body", "is_faq", "owner", "review_by"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 18, "class": "mono"}),
            "review_by": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {"is_faq": "Show on the FAQ page", "review_by": "Review by", "body": "Article (Markdown)"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = User.objects.filter(agent__isnull=False).order_by("agent__display_name")
        owner.label_from_instance = agent_name  # type: ignore[method-assign,assignment]
        category = self.fields["category"]
        assert isinstance(category, forms.ModelChoiceField)
        category.queryset = ArticleCategory.objects.all()
        self.fields["summary"].required = False
        visibility = self.fields["visibility"]
        assert isinstance(visibility, forms.ChoiceField)
        visibility.choices = Visibility.choices
        self.fields[
            "summary"
        ].help_text = "One sentence shown in lists and search results; left empty, the start of the article."


class TranslationForm(forms.Form):
    language = forms.ChoiceField(choices=[c for c in LANGUAGE_CHOICES if c[0] != "en"])
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 16, "class": "mono"}), label="Translation (Markdown)"
    )


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), label="Publish at"
    )


class ReviewedForm(forms.Form):
    review_by = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Next review by")


class VoteForm(forms.Form):
    helpful = forms.TypedChoiceField(choices=[("1", "Yes"), ("0", "No")], coerce=lambda v: v == "1")
    comment = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
