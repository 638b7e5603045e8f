"""gunicorn settings shared by the Procfile (`make run`) and a deployment (README): logs without personal data.

The access log keeps the method, the path and the status of each request, never its query string nor the
referring page's address: a URL may carry what someone typed (DESIGN.md section 7). The learner search is
POSTed anyway; this holds for any other page too.
"""

from gunicorn.glogging import Logger

accesslog = "-"
# gunicorn's default format with "%(r)s" (the request line, query string included) as method, path and
# protocol, and without "%(f)s" (the Referer header: the previous page's full address).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s"'


class AccessLogger(Logger):
    """gunicorn's logger, the visitor's address left out ("-") on the public verification pages: whoever checks an
    attestation is journaled without it (issue 11, item 4); the rate limiter alone holds it, in memory."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        if (environ.get("PATH_INFO") or "").startswith("/verifier"):
            atoms["h"] = "-"
        return atoms


logger_class = AccessLogger

# Garbage collection in a worker (issue 8, item 19). A page allocates thousands of objects (ORM rows, template
# output) that die with the request; with Python's default threshold (a young collection every 700 net
# allocations) the ORM-heavy pages spent 2-5 % of their time in collections walking objects still in use. With
# a larger threshold most requests end before a collection is due, and what they allocated is freed without
# one. The objects loaded with the application (modules, mappers, compiled templates) live as long as the
# worker: frozen, no full collection walks them again.
GC_THRESHOLDS = (10_000, 10, 10)


def post_worker_init(worker):
    """Once the worker has loaded the application: freeze what it loaded, then collect less often."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
