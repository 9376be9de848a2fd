from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("countries/<slug:country>/", views.country, name="country"),
    path("countries/<slug:country>/<slug:topic>/", views.profile, name="profile"),
]
