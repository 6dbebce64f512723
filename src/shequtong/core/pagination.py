"""The API's page numbers, bounded like every number a caller sends (STYLE.md 30).

django-ninja's page number is any positive integer: ?page=32557277601562206208 became an
OFFSET past the database's bigint and a 500. A page is at most `MAX_PAGE` (a million pages of
results is more than any list here holds); beyond it the answer is the API's 422 naming the
field. A page size past the endpoint's cap is cut to it, as django-ninja does.
"""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 1_000_000


class Pages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)
