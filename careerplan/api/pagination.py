from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=` and `?page_size=` (at most 100); a page past the end is a 404 problem."""

    page_size_query_param = "page_size"
    max_page_size = 100
