"""A profile page as a Wagtail site would model it: sections in a StreamField of rich text, and
footnotes in a StreamField whose blocks each link a Source snippet."""

from django.db import models
from wagtail import blocks
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.snippets.blocks import SnippetChooserBlock
from wagtail.snippets.models import register_snippet


@register_snippet
class Source(models.Model):
    kind = models.CharField(max_length=20)
    title = models.CharField(max_length=500)
    key = models.CharField(max_length=100, unique=True)

    def __str__(self):
        return self.title


class FactBlock(blocks.StructBlock):
    label = blocks.CharBlock()
    value = blocks.CharBlock()


class SectionBlock(blocks.StructBlock):
    heading = blocks.CharBlock()
    body = blocks.RichTextBlock()


class NoteBlock(blocks.StructBlock):
    number = blocks.IntegerBlock()
    text = blocks.TextBlock()
    source = SnippetChooserBlock(Source)


class ProfilePage(Page):
    summary = models.TextField(blank=True)
    facts = StreamField([("fact", FactBlock())], blank=True)
    sections = StreamField([("section", SectionBlock())], blank=True)
    notes = StreamField([("note", NoteBlock())], blank=True)

    template = "profiles/profile_page.html"
