"""A real GRIP application for pushpind's tests: django-eventstream (with django-grip) in one
file, storing events in SQLite, served by Django's threaded development server.

    python3 eventstream_origin.py DATA_DIR CONTROL_URI [PORT]

Prints `READY <port>` once listening on 127.0.0.1 (PORT, or an ephemeral port). Endpoints:
  GET  /events/<channel>/   the SSE stream (django-eventstream's view; behind pushpind, a GRIP hold)
  POST /send/<channel>/     body = event data: stored and published to pushpind (send_event)
  POST /store/<channel>/    body = event data: stored only, never published (a lost publish,
                            which pushpind must recover through the stream's next link)
"""
import os
import sys

data_dir, control_uri = sys.argv[1], sys.argv[2]
port = int(sys.argv[3]) if len(sys.argv) > 3 else 0

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="pushpind-tests",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "django_eventstream"],
    MIDDLEWARE=["django_grip.GripMiddleware"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(data_dir, "events.sqlite3")}},
    GRIP_URL=control_uri,
    EVENTSTREAM_STORAGE_CLASS="django_eventstream.storage.DjangoModelStorage",
    USE_TZ=True,
    LOGGING_CONFIG=None,
)
django.setup()

from django.core.management import call_command
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
import django_eventstream
from django_eventstream import send_event
from django_eventstream.utils import get_storage


@csrf_exempt
def send(request, channel):
    send_event(channel, "message", request.body.decode(), json_encode=False, async_publish=False)
    return HttpResponse("sent\n")


@csrf_exempt
def store(request, channel):
    event = get_storage().append_event(channel, "message", request.body.decode())
    return HttpResponse("stored %d\n" % event.id)


urlpatterns = [
    path("events/<channel>/", include(django_eventstream.urls)),
    path("send/<channel>/", send),
    path("store/<channel>/", store),
]

call_command("migrate", verbosity=0, interactive=False)

from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


server = ThreadedWSGIServer(("127.0.0.1", port), QuietHandler)
server.set_app(WSGIHandler())
print("READY %d" % server.server_address[1], flush=True)
server.serve_forever()
