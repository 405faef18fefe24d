from django.contrib import admin
from django.http import HttpResponse
from django.urls import path


def whoami(request):
    return HttpResponse(str(request.banward_ip))


urlpatterns = [
    path("admin/", admin.site.urls),
    path("whoami/", whoami),
]
