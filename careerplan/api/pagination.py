from rest_framework import pagination

# Beyond this an OFFSET overflows some databases' integers; no list is that long.
MAX_SLICE_BOUND = 2**31 - 1


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=` and `?page_size=` (at most 100); a page past the end is a 404 problem."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def requested_slice(self, request) -> tuple[int, int] | None:
        """The slice of the list the requested page is, known before counting (so a list can
        fetch the page and its count in one query); None for `?page=last` or a page that is
        not a positive whole number (or absurdly far), which the paginator itself answers."""
        page_size = self.get_page_size(request)
        try:
            number = int(request.query_params.get(self.page_query_param, 1))
        except (TypeError, ValueError):
            return None
        if number < 1 or not page_size or number * page_size > MAX_SLICE_BOUND:
            return None  # a far page is refused by the paginator, after counting
        return (number - 1) * page_size, number * page_size
