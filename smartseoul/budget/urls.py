from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("office/", views.office, name="office"),
    path("office/cycles/<slug:slug>/", views.office_cycle, name="office-cycle"),
    path("office/cycles/<slug:slug>/advance/", views.office_advance, name="office-advance"),
    path("office/cycles/<slug:slug>/import/", views.office_import, name="office-import"),
    path("office/projects/<str:code>/", views.office_project, name="office-project"),
    path("projects/<str:code>/", views.project, name="project"),
    path("projects/<str:code>/withdraw/", views.withdraw, name="withdraw"),
    path("envelopes/<int:envelope_id>/vote/", views.vote, name="vote"),
    path("envelopes/<int:envelope_id>/pabulib.pb", views.pabulib_file, name="pabulib"),
    path("<slug:slug>/", views.cycle, name="cycle"),
    path("<slug:slug>/propose/", views.propose, name="propose"),
    path("<slug:slug>/results/", views.results, name="results"),
    path("<slug:slug>/report.pdf", views.report_pdf, name="report"),
]
