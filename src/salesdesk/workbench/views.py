from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from salesdesk.workbench.selectors import workbench_items


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "workbench/home.html", {"sections": workbench_items(user=request.user)})
