from django import template

register = template.Library()


@register.filter
def agreement_status(agreement, day):
    """The agreement's status on the day: in force, under notice, ended, …"""
    return agreement.status_on(day)
