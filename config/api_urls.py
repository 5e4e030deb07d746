"""The REST API: one router for every app's viewsets, plus the OpenAPI schema and its docs."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from consult.api import ConsultationViewSet, EventViewSet
from feedback.api import SubmissionViewSet
from outcomes.api import OutcomeViewSet

router = DefaultRouter()
router.register("consultations", ConsultationViewSet, basename="consultation")
router.register("events", EventViewSet, basename="event")
router.register("submissions", SubmissionViewSet, basename="submission")
router.register("outcomes", OutcomeViewSet, basename="outcome")

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def _schema_type(schema: dict) -> str:
    """A short, readable type for a schema object ('string', 'array of Event', ...)."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"array of {_schema_type(schema.get('items', {}))}"
    if "allOf" in schema or "oneOf" in schema:
        return " | ".join(_schema_type(part) for part in schema.get("allOf", schema.get("oneOf")))
    kind = schema.get("type", "object")
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def api_docs(request: HttpRequest) -> HttpResponse:
    """The OpenAPI schema as a plain page: no JavaScript, no asset from another site.

    Swagger UI and Redoc load from a CDN and need inline scripts and styles, which our
    Content Security Policy forbids; this page reads the same generated schema instead.
    """
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = [
        {
            "method": method.upper(),
            "path": url,
            "id": operation.get("operationId", ""),
            "description": operation.get("description", ""),
            "parameters": [
                {**parameter, "type": _schema_type(parameter.get("schema", {}))}
                for parameter in operation.get("parameters", [])
            ],
            "responses": [
                {
                    "code": code,
                    "description": response.get("description", ""),
                    "type": _schema_type(
                        response.get("content", {}).get("application/json", {}).get("schema", {})
                    )
                    if response.get("content")
                    else "",
                }
                for code, response in operation.get("responses", {}).items()
            ],
        }
        for url, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]
    components = [
        {
            "name": name,
            "description": component.get("description", ""),
            "fields": [
                {
                    "name": field,
                    "type": _schema_type(spec),
                    "required": field in component.get("required", []),
                    "description": spec.get("description", ""),
                    "enum": spec.get("enum", []),
                }
                for field, spec in component.get("properties", {}).items()
            ],
            "enum": component.get("enum", []),
        }
        for name, component in schema.get("components", {}).get("schemas", {}).items()
    ]
    return render(
        request,
        "drf_spectacular/docs.html",
        {"info": schema["info"], "operations": operations, "components": components},
    )


urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", api_docs, name="api-docs"),
]
