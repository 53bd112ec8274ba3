from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from salesdesk.workbench import services
from salesdesk.workbench.models import Reminder
from salesdesk.workbench.selectors import reminders_of, workbench_items

# Items a section shows on the page: what is most pressing, where the assistant sees every section
# at once; "see all" opens the page behind it. (The morning's reminders and the API list more.)
PAGE_ITEMS = 10


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: this morning's reminders, then what needs doing now."""
    sections = workbench_items(user=request.user, limit=PAGE_ITEMS)
    titles = {section.key: section.title for section in sections}
    reminders = list(reminders_of(user=request.user, day=timezone.localdate()))
    for reminder in reminders:
        reminder.section_title = titles.get(reminder.section, "")
    context = {
        "sections": sections,
        "reminders": reminders,
        "reminders_open": sum(1 for r in reminders if r.seen_at is None),
    }
    return render(request, "workbench/home.html", context)


@require_POST
def reminder_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick a reminder off: only its own user may, anyone else is told it does not exist."""
    reminder = get_object_or_404(Reminder, pk=pk, user=request.user)
    reminder = services.reminder_mark_seen(reminder=reminder, by=request.user)
    if request.headers.get("HX-Request"):
        return render(request, "workbench/_reminder.html", {"reminder": reminder})
    return redirect("workbench:home")
