"""gunicorn settings; gunicorn reads ./gunicorn.conf.py from its working directory (/app)."""

import os

# Listen on every interface of the container: the port is published (compose) or reached
# through the task's network interface (ECS); 0.0.0.0 here does not expose it on the host.
bind = "0.0.0.0:8000"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Load the app (and check settings, wait for the database) once, before forking the workers.
preload_app = True
# Logs go to stdout/stderr: `docker logs` and CloudWatch (awslogs driver) pick them up there.
accesslog = "-"
errorlog = "-"
# Behind a load balancer keep idle connections open longer than its idle timeout (60 s).
keepalive = 65
