from django.urls import path, re_path
from django.conf import settings
from django.views.static import serve

from . import views

urlpatterns = [
    path("", views.index),
    path("about", views.about),
    path("project/<str:n>", views.project),
    path("contact/", views.contact),
    path("login/", views.login_view),
    path("logout/", views.logout_view),
    path("cart/", views.cart),
    path("cart/add/", views.cart_add),
    path("me/", views.me),
    path("menu/", views.menu),
    path("menu-plain/", views.menu_plain),
    path("_stats", views.stats),
    re_path(r"^static/(?P<path>.+)$", serve, {"document_root": settings.STATIC_DIR}),
]
