from django.urls import path

from daiban.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("submit/", views.submit, name="submit"),
    path("submitted/", views.submitted, name="submitted"),
    path("track/", views.track, name="track"),
    path("track/<str:number>/", views.status, name="status"),
    path("track/<str:number>/qr/<str:ticket>/", views.qr, name="qr"),
]
