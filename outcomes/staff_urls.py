from django.urls import path

from outcomes.views import analysis, coding, report

app_name = "outcomes_staff"

urlpatterns = [
    # Analysis: results, who has been heard, baselines, exports.
    path("<int:pk>/results/", analysis.results, name="results"),
    path("<int:pk>/heard/", analysis.heard, name="heard"),
    path("<int:pk>/baselines/add/", analysis.baseline_edit, name="baseline_add"),
    path("<int:pk>/baselines/<int:baseline_pk>/", analysis.baseline_edit, name="baseline_edit"),
    path(
        "<int:pk>/baselines/<int:baseline_pk>/delete/",
        analysis.baseline_delete,
        name="baseline_delete",
    ),
    path("<int:pk>/exports/", analysis.export_start, name="export_start"),
    path("<int:pk>/exports/<int:job_pk>/", analysis.export_download, name="export_download"),
    # The outcome report.
    path("<int:pk>/report/", report.overview, name="report"),
    path("<int:pk>/report/summary/", report.summary_edit, name="report_summary"),
    path(
        "<int:pk>/report/themes/<int:theme_pk>/",
        report.theme_response_edit,
        name="theme_response",
    ),
    path("<int:pk>/report/commitments/add/", report.commitment_edit, name="commitment_add"),
    path(
        "<int:pk>/report/commitments/<int:commitment_pk>/",
        report.commitment_edit,
        name="commitment_edit",
    ),
    path(
        "<int:pk>/report/commitments/<int:commitment_pk>/status/",
        report.commitment_status,
        name="commitment_status",
    ),
    path("<int:pk>/report/publish/", report.publish, name="publish"),
    # Coding free text, suggested themes, campaigns.
    path("<int:pk>/coding/", coding.coding_page, name="coding"),
    path("<int:pk>/coding/tag/", coding.coding_tag, name="coding_tag"),
    path("<int:pk>/coding/change/", coding.coding_change, name="coding_change"),
    path("<int:pk>/themes/new/", coding.theme_create, name="theme_create"),
    path("<int:pk>/themes/<int:theme_pk>/edit/", coding.theme_edit, name="theme_edit"),
    path("<int:pk>/themes/<int:theme_pk>/merge/", coding.theme_merge, name="theme_merge"),
    path("<int:pk>/themes/<int:theme_pk>/delete/", coding.theme_delete, name="theme_delete"),
    path("<int:pk>/suggestions/", coding.suggestions_page, name="suggestions"),
    path(
        "<int:pk>/suggestions/<int:suggestion_pk>/",
        coding.suggestion_review,
        name="suggestion_review",
    ),
    path("<int:pk>/campaigns/", coding.campaigns_page, name="campaigns"),
    path("<int:pk>/campaigns/<int:campaign_pk>/", coding.campaign_page, name="campaign"),
    path("<int:pk>/jobs/<int:job_pk>/progress/", coding.job_progress, name="text_job_progress"),
]
