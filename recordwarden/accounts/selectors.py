from .models import Agency, ApiToken


def agency_list_for(actor):
    return Agency.objects.prefetch_related("domains", "agreements").order_by("name")


def api_tokens_for(requester):
    return ApiToken.objects.filter(requester=requester).order_by("-created_at")
