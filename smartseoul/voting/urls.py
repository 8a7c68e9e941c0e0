from django.urls import path

from . import views

urlpatterns = [
    path("", views.vote_list, name="list"),
    path("receipt/", views.receipt, name="receipt"),
    path("receipts/", views.my_receipts, name="receipts"),
    path("new/", views.vote_new, name="new"),
    path("office/", views.office, name="office"),
    path("<int:vote_id>/", views.vote_detail, name="detail"),
    path("<int:vote_id>/cast", views.vote_cast, name="cast"),
    path("<int:vote_id>/results/", views.vote_results, name="results"),
    path("<int:vote_id>/audit/", views.vote_audit, name="audit"),
    path("<int:vote_id>/manage/", views.vote_manage, name="manage"),
    path("<int:vote_id>/<str:action>", views.vote_action, name="action"),
]
