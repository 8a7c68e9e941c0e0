from django.urls import path

from . import views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("second-factor/", views.second_factor, name="second-factor"),
    path("phone/", views.phone, name="phone"),
    path("resident/", views.resident, name="resident"),
    path("profile/", views.profile, name="profile"),
    path("keys/<int:pk>/revoke/", views.key_revoke, name="key-revoke"),
]
