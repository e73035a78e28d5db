from django.http import JsonResponse
from django.shortcuts import render

from recordwarden.accounts.permissions import requester_of, roles_of


def home(request):
    """Role-aware home: staff see their work, requesters their portal, others the public."""
    user = request.user
    context = {
        "roles": sorted(roles_of(user)),
        "requester": requester_of(user),
    }
    return render(request, "core/home.html", context)


def healthz(request):
    return JsonResponse({"status": "ok"})
