"""The header's count of unread task notifications."""

from django import template

from giaoban.followup import selectors

register = template.Library()


@register.simple_tag
def unread_notifications(user) -> int:
    return selectors.unread_count(user=user)
