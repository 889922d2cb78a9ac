"""The deployed-models API: deploy a job's model, list and read deployments, predict, export.

Another user's deployment is a 404, like one that does not exist.
"""

from django.http import Http404, HttpResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from deployments import checks, deploy, explain, exports
from deployments.models import DeployedModel
from dlplatform.api_errors import (
    Conflict,
    NotAvailable,
    StrictFieldsMixin,
    Unprocessable,
    invalid,
)
from dlplatform.parsers import BoundedJSONParser
from engine.catalog import ATTRIBUTION_METHODS
from jobs.api.views import _job_or_404

NOT_FOUND = OpenApiResponse(description="No such model, or another user's.")


class DeployedModelSerializer(serializers.ModelSerializer):
    job = serializers.IntegerField(source="job_id", read_only=True)
    owner = serializers.CharField(source="owner.username", read_only=True)
    mean_latency_ms = serializers.FloatField(read_only=True, allow_null=True)
    dataset = serializers.SerializerMethodField()
    kind = serializers.SerializerMethodField()
    urls = serializers.SerializerMethodField()

    class Meta:
        model = DeployedModel
        fields = [
            "id", "name", "job", "owner", "kind", "dataset", "created_at", "request_count",
            "prediction_count", "mean_latency_ms", "last_latency_ms", "last_predicted_at", "urls",
        ]

    def get_dataset(self, deployed) -> str:
        return deployed.job.config["data"]["name"]

    def get_kind(self, deployed) -> str:
        return deployed.job.config["model"]["kind"]

    def get_urls(self, deployed) -> dict:
        """Links to what can be done with the model; "onnx" only where the server can
        export it (see exports.onnx_export_available)."""
        request = self.context["request"]
        routes = [("self", "api-model-detail"), ("predict", "api-model-predict"),
                  ("explain", "api-model-explain"), ("torchscript", "api-model-torchscript")]
        if exports.onnx_export_available():
            routes.append(("onnx", "api-model-onnx"))
        routes.append(("page", "model-detail"))
        return {
            name: request.build_absolute_uri(reverse(route, args=[deployed.pk]))
            for name, route in routes
        }


class StrictCharField(serializers.CharField):
    """A string, not a number DRF would turn into one."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class DeploySerializer(StrictFieldsMixin, serializers.Serializer):
    name = StrictCharField(max_length=100, required=False, allow_blank=True)


def inputs_schema(max_items: int) -> dict:
    """What a batch of inputs may be, as far as JSON Schema can say it: a list of points,
    pixel rows, windows (lists of float32 numbers), images (lists of such lists) or strings
    (a text model's windows). Which of them, and how long, depends on the model (a 400
    names what it expects)."""
    number = {"type": "number", "minimum": -checks.FLOAT32_MAX, "maximum": checks.FLOAT32_MAX}
    numbers = {"type": "array", "minItems": 1, "items": number}
    return {
        "type": "array", "minItems": 1, "maxItems": max_items,
        "items": {"anyOf": [
            numbers,
            {"type": "array", "minItems": 1, "items": numbers},
            {"type": "string", "minLength": 1},
        ]},
    }


@extend_schema_field(inputs_schema(checks.MAX_BATCH))
class PredictInputsField(serializers.JSONField):
    """Checked against the model by checks.as_batch, which names the shape it expects."""


@extend_schema_field(inputs_schema(explain.MAX_EXPLAINED_INPUTS))
class ExplainInputsField(serializers.JSONField):
    """As PredictInputsField, in smaller batches."""


class PredictSerializer(StrictFieldsMixin, serializers.Serializer):
    inputs = PredictInputsField(help_text="A batch: a list of inputs (see the model's shape).")


def _deployed_or_404(request, model_id: int) -> DeployedModel:
    deployed = deploy.deployed_model_for(user=request.user, model_id=model_id)
    if deployed is None:
        raise Http404("No such model.")
    return deployed


class JobDeploy(APIView):
    parser_classes = [BoundedJSONParser]  # an optional JSON body; forms would let a null through

    @extend_schema(request=DeploySerializer, responses={
        201: DeployedModelSerializer,
        404: OpenApiResponse(description="No such job, or another user's."),
        409: OpenApiResponse(description="The job has no model that can be deployed."),
    })
    def post(self, request, job_id: int):
        job = _job_or_404(request, job_id)
        if not isinstance(request.data, dict):  # e.g. a JSON null, which the serializer lets by
            raise invalid({"request": 'Expected a JSON object, e.g. {"name": "..."}.'})
        given = DeploySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            deployed = deploy.model_deploy(
                user=request.user, job=job, name=given.validated_data.get("name", "")
            )
        except deploy.NotDeployable as exc:
            raise Conflict(str(exc)) from exc
        body = DeployedModelSerializer(deployed, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED,
                        headers={"Location": body["urls"]["self"]})


class ModelList(APIView):
    @extend_schema(responses=DeployedModelSerializer(many=True))
    def get(self, request):
        models = deploy.deployed_models_of(user=request.user)
        body = DeployedModelSerializer(models, many=True, context={"request": request}).data
        return Response(body)


class ModelDetail(APIView):
    @extend_schema(responses={200: DeployedModelSerializer, 404: NOT_FOUND})
    def get(self, request, model_id: int):
        deployed = _deployed_or_404(request, model_id)
        return Response(DeployedModelSerializer(deployed, context={"request": request}).data)


class ModelPredict(APIView):
    parser_classes = [BoundedJSONParser]

    @extend_schema(request=PredictSerializer, responses={
        200: OpenApiResponse(description='{"predictions": [{"class", "probabilities"}] or '
                                         '[{"value"}] for a series'),
        400: OpenApiResponse(description="The inputs do not fit; the expected shape is named."),
        404: NOT_FOUND,
        422: OpenApiResponse(description="The model's output for an input is not finite."),
    })
    def post(self, request, model_id: int):
        deployed = _deployed_or_404(request, model_id)
        given = PredictSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            return Response(deploy.predict(deployed, given.validated_data["inputs"]))
        except checks.BadInputs as exc:
            raise invalid({"inputs": str(exc)}) from exc
        except checks.NonFiniteOutputs as exc:
            raise Unprocessable(str(exc), fields={"inputs": str(exc)}) from exc


class ExplainSerializer(StrictFieldsMixin, serializers.Serializer):
    inputs = ExplainInputsField(
        help_text=f"A batch of at most {explain.MAX_EXPLAINED_INPUTS} inputs, as for predict."
    )
    method = serializers.ChoiceField(
        choices=ATTRIBUTION_METHODS, default="integrated_gradients",
        help_text="saliency: |gradient|; integrated_gradients: gradients along the path from "
        "the zero input, summing to the logit's change; kernel_shap and lime: linear "
        "surrogates fitted to 200 switched-off copies (images: 2x2-pixel patches).",
    )
    target = serializers.CharField(
        required=False, allow_null=True, default=None,
        help_text="The class to explain (one of the model's); null: the predicted class.",
    )


class ModelExplain(APIView):
    parser_classes = [BoundedJSONParser]

    @extend_schema(request=ExplainSerializer, responses={
        200: OpenApiResponse(description='{"method", "explanations": [{"class", '
                                         '"probability", "attributions", "heatmap"}]}: one '
                                         "attribution per input feature (the heatmap holds "
                                         "them as image rows scaled to [-1, 1])."),
        400: OpenApiResponse(description="The inputs do not fit, or the target is no class."),
        404: NOT_FOUND,
        422: OpenApiResponse(description="The model's output for an input is not finite."),
        409: OpenApiResponse(description="The model is not a classifier of numbers."),
    })
    def post(self, request, model_id: int):
        """Which input features each prediction rests on (captum attributions)."""
        deployed = _deployed_or_404(request, model_id)
        given = ExplainSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            return Response(explain.explain(deployed, **given.validated_data))
        except checks.BadInputs as exc:
            raise invalid({"inputs": str(exc)}) from exc
        except checks.NonFiniteOutputs as exc:
            raise Unprocessable(str(exc), fields={"inputs": str(exc)}) from exc
        except explain.BadTarget as exc:
            raise invalid({"target": str(exc)}) from exc
        except explain.NotExplainable as exc:
            raise Conflict(str(exc)) from exc


class ModelExportTorchScript(APIView):
    """The model with its preprocessing, as TorchScript: raw inputs in, probabilities out."""

    @extend_schema(responses={(200, "application/octet-stream"): bytes, 404: NOT_FOUND})
    def get(self, request, model_id: int):
        deployed = _deployed_or_404(request, model_id)
        return _attachment(exports.torchscript_bytes(deployed), f"model-{deployed.pk}.pt")


class ModelExportOnnx(APIView):
    @extend_schema(responses={
        (200, "application/octet-stream"): bytes, 404: NOT_FOUND,
        501: OpenApiResponse(description="The server has no onnx package."),
    })
    def get(self, request, model_id: int):
        deployed = _deployed_or_404(request, model_id)
        try:
            data = exports.onnx_bytes(deployed)
        except ImportError:
            raise NotAvailable("ONNX export needs the onnx package on the server.") from None
        return _attachment(data, f"model-{deployed.pk}.onnx")


def _attachment(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
