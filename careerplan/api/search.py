"""`?search=`: DRF's SearchFilter with a bound on the words a search may hold.

DRF ANDs one OR-group of `icontains` per word, so a search of a thousand words is a query a
thousand groups deep: SQLite refuses it ("Expression tree is too large"), which the error
handler answered as a 503 to retry, and PostgreSQL plans it at length. No catalogue search
needs more than a few words.
"""

from rest_framework import filters
from rest_framework.exceptions import ValidationError

MAX_SEARCH_TERMS = 10
TOO_MANY_TERMS = "A search holds at most {max} words; this one holds {count}."


class SearchFilter(filters.SearchFilter):
    search_description = (
        f"Words to look for (at most {MAX_SEARCH_TERMS}); a row matches when it holds every one."
    )

    def get_search_terms(self, request):
        terms = super().get_search_terms(request)
        if len(terms) > MAX_SEARCH_TERMS:
            raise ValidationError(
                {self.search_param: [TOO_MANY_TERMS.format(max=MAX_SEARCH_TERMS, count=len(terms))]}
            )
        return terms
