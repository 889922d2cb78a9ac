from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

from jobs.api.params import is_non_negative_int


class StrictLimitOffsetPagination(LimitOffsetPagination):
    """Like DRF's, but a malformed `limit` or `offset` is a 400 instead of being ignored."""

    max_limit = 200

    def paginate_queryset(self, queryset, request, view=None):
        errors = {}
        for name in (self.limit_query_param, self.offset_query_param):
            values = request.query_params.getlist(name)
            if len(values) > 1:
                errors[name] = ["Give it once."]
            elif values and not is_non_negative_int(values[0]):
                errors[name] = ["Must be a non-negative integer."]
        if errors:
            raise ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        """DRF's, with the bound the server enforces: a negative number is refused (400)."""
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 0
        return parameters
