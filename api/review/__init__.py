"""The back-office review page: a static single-page app under ``/review`` and its JSON API.

- :mod:`api.review.pages` serves the page, the sign-in page and their assets,
  and sets the headers every ``/review`` response carries (no caching by
  proxies or the browser, a strict content security policy, no framing);
- :mod:`api.review.routes` is the JSON API the page calls: sign-in, the queue,
  a document or application view, corrections, decisions, revealing personal
  data, the versions of a record;
- :mod:`api.review.views` builds what the page shows, personal data masked.
"""
