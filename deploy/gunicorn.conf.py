"""gunicorn settings for one web node in production (`gunicorn -c deploy/gunicorn.conf.py 'storefront:create_app()'`).

Each node listens on loopback (or a private address) behind nginx, never on the internet: sync workers are
tied up by slow clients, which nginx absorbs. Settings come from the environment so the cluster test and a
real node run the same file.
"""
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))   # about 2 per CPU core
worker_class = "sync"
timeout = 30             # a worker stuck this long is replaced
graceful_timeout = 20    # on SIGTERM (deploys), requests in flight get this long to finish
keepalive = 5            # nginx keeps upstream connections open (keepalive 16 in the site config)
max_requests = 2000      # recycle workers now and then, with jitter so they do not all restart at once
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = "127.0.0.1"
