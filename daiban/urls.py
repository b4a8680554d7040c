from django.contrib import admin
from django.urls import path

from daiban.api.main import api

admin.site.site_header = "信访代办 管理后台"
admin.site.site_title = "信访代办"
admin.site.index_title = "基础数据"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
