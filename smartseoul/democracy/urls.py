from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("p/<int:pk>/", views.proposal, name="proposal"),
    path("p/<int:pk>/edit/", views.edit, name="edit"),
    path("p/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("p/<int:pk>/support/", views.support, name="support"),
    path("p/<int:pk>/follow/", views.follow, name="follow"),
    path("p/<int:pk>/opinion/", views.opinion, name="opinion"),
    path("p/<int:pk>/comment/", views.comment, name="comment"),
    path("report/<str:kind>/<int:target_id>/", views.report, name="report"),
    path("answers/", views.answers, name="answers"),
    path("inquiries/", views.inquiries, name="inquiries"),
    path("inquiries/<int:pk>/", views.inquiry, name="inquiry"),
    path("office/", views.office, name="office"),
    path("office/p/<int:pk>/", views.office_proposal, name="office-proposal"),
    path("office/moderation/", views.office_moderation, name="office-moderation"),
    path("office/settings/", views.office_settings, name="office-settings"),
    path("office/inquiries/new/", views.office_inquiry_new, name="office-inquiry-new"),
    path("office/inquiries/<int:pk>/summary/", views.office_inquiry_summary, name="office-inquiry-summary"),
]
