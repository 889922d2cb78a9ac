from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination


class StrictLimitOffsetPagination(LimitOffsetPagination):
    """Like DRF's, but a malformed `limit` or `offset` is a 400 instead of being ignored."""

    max_limit = 200

    def paginate_queryset(self, queryset, request, view=None):
        errors = {}
        for name in (self.limit_query_param, self.offset_query_param):
            values = request.query_params.getlist(name)
            if len(values) > 1:
                errors[name] = ["Give it once."]
            elif values and not values[0].isdigit():
                errors[name] = ["Must be a non-negative integer."]
        if errors:
            raise ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)
