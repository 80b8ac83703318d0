#!/usr/bin/env python3
"""Per publish, the path from the driver's send to its last delivery read, from `perf script` output
(fields comm,pid,tid,cpu,time,event,trace) of Benchmarks/publish-timeline.sh. Times are µs after the
driver's publisher submitted the publish. Usage: publish-timeline.py TRACE PIDS-FILE."""
import bisect
import collections
import re
import sys

LINE = re.compile(r'^\s*(?P<comm>.+?)\s+(?P<pid>\d+)/(?P<tid>\d+)\s+\[(?P<cpu>\d+)\]\s+(?P<t>\d+\.\d+):\s+(?P<ev>[\w:]+):\s*(?P<rest>.*)$')
SUBSCRIBER_RECEIVE, PUBLISHER_SEND = 3, 6  # the driver's operation tags (DriverOperation)

pushpind, driver = (int(x) for x in open(sys.argv[2]).read().split())
role_of_tid = {}
events = []  # (time, role, cpu, event, rest); role: control, shard-N, driver, or '' for everyone else
for line in open(sys.argv[1], errors='replace'):
    m = LINE.match(line)
    if not m:
        continue
    pid, comm = int(m['pid']), m['comm'].strip()
    role = comm if pid == pushpind else 'driver' if pid == driver else ''
    if role:
        role_of_tid[int(m['tid'])] = role if role != 'driver' else f'driver-{m["tid"]}'
    events.append((float(m['t']), role, int(m['cpu']), m['ev'], m['rest']))
events.sort()
times = [e[0] for e in events]


def op(rest):
    m = re.search(r'user_data 0x([0-9a-f]+)', rest)
    return int(m.group(1), 16) >> 56 if m else -1


def us(start, t):
    return f'+{(t - start) * 1e6:.0f}'


publishes = [e for e in events if e[1] == 'driver' and e[3] == 'io_uring:io_uring_submit_req' and op(e[4]) == PUBLISHER_SEND]
print(f'{len(publishes)} publishes; times in µs after the driver submitted each')
for index, publish in enumerate(publishes):
    start = publish[0]
    end = publishes[index + 1][0] if index + 1 < len(publishes) else float('inf')
    window = events[bisect.bisect_left(times, start):bisect.bisect_left(times, end)]
    control = [e for e in window if e[1] == 'control']
    received = next((e for e in control if e[3] == 'io_uring:io_uring_complete'), None)
    woke = [e for e in control if e[3] == 'io_uring:io_uring_submit_req' and 'MSG_RING' in e[4]]
    answered = next((e for e in control if e[3] == 'io_uring:io_uring_submit_req' and 'SEND' in e[4]), None)
    print(f'publish {index}: control received {us(start, received[0]) if received else "-"}, '
          f'MSG_RING {",".join(us(start, e[0]) for e in woke[:2]) or "-"}, answer {us(start, answered[0]) if answered else "-"}')
    for shard in sorted({e[1] for e in window if e[1].startswith('shard-')}):
        mine = [e for e in window if e[1] == shard]
        sends = [e for e in mine if e[3] == 'io_uring:io_uring_submit_req' and 'SEND' in e[4]]
        if not sends:
            continue
        back = next((e for e in mine if e[3] == 'syscalls:sys_exit_io_uring_enter'), None)
        batches = [int(re.search(r'to_submit: (0x[0-9a-f]+)', e[4]).group(1), 16) for e in mine
                   if e[3] == 'syscalls:sys_enter_io_uring_enter' and 'to_submit' in e[4]]
        print(f'  {shard}: woke {us(start, back[0]) if back else "-"}, {len(sends)} sends submitted {us(start, sends[0][0])} '
              f'to {us(start, sends[-1][0])}; entries per io_uring_enter {[b for b in batches if b][:8]}')
    reads = [e for e in window if e[1] == 'driver' and e[3] == 'io_uring:io_uring_complete' and op(e[4]) == SUBSCRIBER_RECEIVE]
    if not reads:
        continue
    n = len(reads)
    at = lambda q: us(start, reads[min(n - 1, int(n * q))][0])
    print(f'  driver read {n}: first {at(0)}, p50 {at(0.5)}, p99 {at(0.99)}, last {at(1)}')
    # CPU per thread from the publish to the last read, from context switches.
    stop, running, busy = reads[-1][0], {}, collections.Counter()
    for t, role, cpu, event, rest in events[:bisect.bisect_right(times, stop)]:
        if event != 'sched:sched_switch':
            continue
        m = re.search(r'next_comm=(.+?) next_pid=(\d+)', rest)
        if cpu in running:
            who, since = running[cpu]
            busy[who] += max(0.0, t - max(since, start))
        running[cpu] = (role_of_tid.get(int(m.group(2)), 'other ' + m.group(1)) if m else '?', t)
    for who, since in running.values():
        busy[who] += max(0.0, stop - max(since, start))
    print('  CPU ms until the last read: ' + ', '.join(f'{who} {s * 1e3:.1f}' for who, s in busy.most_common(6)))
