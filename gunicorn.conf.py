"""gunicorn settings shared by the Procfile (`make run`) and a deployment (README): logs without personal data.

The access log keeps the method, the path and the status of each request, never its query string nor the
referring page's address: a URL may carry what someone typed (DESIGN.md section 7). The learner search is
POSTed anyway; this holds for any other page too.
"""

accesslog = "-"
# gunicorn's default format with "%(r)s" (the request line, query string included) as method, path and
# protocol, and without "%(f)s" (the Referer header: the previous page's full address).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s"'
