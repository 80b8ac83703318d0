"""SSE clients (the sseclient-py library over requests, as a Python application would use
them) against django-eventstream behind a GRIP proxy. Checks, and prints one line per check
then `RESULT OK` or `RESULT FAIL <why>`:

  1. CLIENTS streams on one channel each get every published event once, in order, with the
     id django-eventstream means (`<channel>:<n>`, built by the proxy's build-id filter);
  2. a client that reconnects with Last-Event-ID gets what it missed, then live events;
  3. an event stored by the application but never published (a lost publish) reaches every
     client, before the next one, through the stream's next link.

    python3 eventstream_clients.py PROXY_URL ORIGIN_URL [CLIENTS]
"""
import json
import os
import queue
import socket
import sys
import threading
import time

import requests
import sseclient

proxy, origin = sys.argv[1].rstrip("/"), sys.argv[2].rstrip("/")
clients = int(sys.argv[3]) if len(sys.argv) > 3 else 20
channel = "test%d" % int(time.time() * 1000 % 1000000)
started = time.monotonic()
deadline = started + 60


class Client:
    def __init__(self, last_event_id=None):
        self.events = queue.Queue()
        self.opened = threading.Event()
        self.response = None
        headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
        threading.Thread(target=self.run, args=(headers,), daemon=True).start()

    def run(self, headers):
        try:
            self.response = requests.get("%s/events/%s/" % (proxy, channel), stream=True, headers=headers, timeout=30)
            for event in sseclient.SSEClient(self.response).events():
                if event.event == "stream-open":
                    self.opened.set()
                elif event.event == "message":
                    self.events.put((event.id, event.data))
                elif event.event not in ("keep-alive",):
                    self.events.put(("?" + event.event, event.data))
        except Exception as error:  # a closed stream ends the client
            self.events.put(("!", repr(error)))

    def close(self):
        # response.close() waits for the reader thread; shutting the socket down ends the
        # stream at once, as a browser tab closing would.
        if self.response is not None:
            self.response.raw._fp.fp.raw._sock.shutdown(socket.SHUT_RDWR)

    def take(self, count):
        got = []
        while len(got) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                got.append(self.events.get(timeout=min(left, 10)))
            except queue.Empty:
                break
        return got


def post(kind, data):
    answer = requests.post("%s/%s/%s/" % (origin, kind, channel), data=data, timeout=10)
    answer.raise_for_status()


def expect(name, got, numbers):
    wanted = [("%s:%d" % (channel, n), "e%d" % n) for n in numbers]
    if got != wanted:
        print("FAIL", name)
        print("RESULT FAIL %s: wanted %s, got %s" % (name, wanted[:4], got[:4]))
        sys.exit(1)
    print("ok %.2fs %s" % (time.monotonic() - started, name))


streams = [Client() for _ in range(clients)]
for index, stream in enumerate(streams):
    if not stream.opened.wait(max(0.1, deadline - time.monotonic())):
        print("RESULT FAIL stream %d did not open" % index)
        sys.exit(1)
time.sleep(0.5)  # the proxy has the subscriptions once each stream's first bytes arrived; be generous

for n in range(1, 11):
    post("send", "e%d" % n)
for index, stream in enumerate(streams):
    expect("live events, client %d" % index, stream.take(10), range(1, 11))

streams[0].close()
for n in range(11, 14):
    post("send", "e%d" % n)
for index, stream in enumerate(streams[1:], 1):
    expect("live events while client 0 is away, client %d" % index, stream.take(3), range(11, 14))
streams[0] = Client(last_event_id="%s:10" % channel)
expect("missed events after reconnecting with Last-Event-ID", streams[0].take(3), range(11, 14))
time.sleep(0.5)
post("send", "e14")
for index, stream in enumerate(streams):
    expect("live event after the reconnect, client %d" % index, stream.take(1), [14])

post("store", "e15")  # stored, never published
post("send", "e16")   # published with prev-id 15, which the proxy never saw
for index, stream in enumerate(streams):
    expect("lost publish recovered through the next link, client %d" % index, stream.take(2), [15, 16])

print("RESULT OK", flush=True)
for stream in streams:
    stream.close()
os._exit(0)
