"""Runs in Redis: one hash and one event stream per run, the sets that admission counts, the live workers.

    brewslm:run:{id}           hash: experiment, device, config, client, status, seq, created, heartbeat,
                               worker, cancel, max_wall_s, final, error
    brewslm:run:{id}:events    stream; entry ids are 0-1, 0-2, …: the SSE ids, as in the embedded engine
    brewslm:runs:queued        zset of runs waiting for a worker (the server's queue limit counts them)
    brewslm:runs:running       zset of runs a worker has claimed
    brewslm:runs:client:{key}  zset of one client's queued and running runs (the per-client limit)
    brewslm:workers:{device}   zset of live workers by last heartbeat (a queue per device: cpu, cuda)

Every change of a run's state is one Lua script, so two web processes and a worker can never disagree:
no event after the terminal one, one terminal event, the limits counted and freed in the same step.
Times come from Redis (`TIME`), never from a machine's own clock. Finished runs expire after a TTL.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional
from urllib.parse import urlsplit, urlunsplit

PREFIX = "brewslm:"
QUEUED = f"{PREFIX}runs:queued"
RUNNING = f"{PREFIX}runs:running"
ACTIVE_TTL_S = 86_400          # a safety net: a run nobody finished still disappears after a day


def run_key(run_id: str) -> str:
    return f"{PREFIX}run:{run_id}"


def events_key(run_id: str) -> str:
    return f"{PREFIX}run:{run_id}:events"


def client_runs_key(client: str) -> str:
    return f"{PREFIX}runs:client:{client}"


def workers_key(device: str) -> str:
    return f"{PREFIX}workers:{device}"


def redacted(url: str) -> str:
    """The Redis URL without its user and password, for messages and logs."""
    parts = urlsplit(url)
    host = f"{parts.hostname}:{parts.port}" if parts.port else (parts.hostname or "")
    return urlunsplit(parts._replace(netloc=host))


def queue_name(device: str) -> str:
    """The Celery queue of a device: a cuda run is only ever taken by a `--device cuda` worker."""
    return f"brewslm.{device}"


@dataclass(frozen=True)
class RunKeys:
    """The keys every run script takes, in order (KEYS[1..5])."""

    run_id: str
    client: str

    def keys(self) -> list[str]:
        return [run_key(self.run_id), events_key(self.run_id), QUEUED, RUNNING, client_runs_key(self.client)]


# ---- Lua ---------------------------------------------------------------------------------------------
# KEYS: run hash, events stream, queued, running, client set. ARGV[1] run id, ARGV[2] max events per
# run, ARGV[3] seconds a finished run is kept; script arguments from ARGV[4].
_COMMON = """
local TERMINAL = {done = true, cancelled = true, failed = true}
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local function append(kind, data, status, reason)
  local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
  redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[2], '0-' .. seq, 'type', kind, 'data', data)
  if status ~= '' then
    redis.call('HSET', KEYS[1], 'status', status)
    if TERMINAL[status] then
      if status == 'done' then redis.call('HSET', KEYS[1], 'final', data) end
      if status == 'failed' then redis.call('HSET', KEYS[1], 'error', reason) end
      redis.call('ZREM', KEYS[3], ARGV[1])
      redis.call('ZREM', KEYS[4], ARGV[1])
      redis.call('ZREM', KEYS[5], ARGV[1])
      redis.call('EXPIRE', KEYS[1], ARGV[3])
      redis.call('EXPIRE', KEYS[2], ARGV[3])
    end
  end
  return seq
end
"""

# ARGV[4] max queued, ARGV[5] max per client, ARGV[6..] experiment, device, config, client, max_wall_s.
# Returns {'ok'} or {'server' | 'client', how many count against that limit}.
ADMIT = _COMMON + """
local queued = redis.call('ZCARD', KEYS[3])
if queued >= tonumber(ARGV[4]) then return {'server', queued} end
local mine = redis.call('ZCARD', KEYS[5])
if mine >= tonumber(ARGV[5]) then return {'client', mine} end
local t = now()
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'experiment', ARGV[6], 'device', ARGV[7], 'config', ARGV[8],
           'client', ARGV[9], 'max_wall_s', ARGV[10], 'status', 'queued', 'seq', 0, 'created', t, 'cancel', 0)
redis.call('EXPIRE', KEYS[1], %d)
redis.call('ZADD', KEYS[3], t, ARGV[1])
redis.call('ZADD', KEYS[5], t, ARGV[1])
redis.call('EXPIRE', KEYS[5], %d)
return {'ok'}
""" % (ACTIVE_TTL_S, ACTIVE_TTL_S)

# ARGV[4] the worker's name. A worker takes only a queued run (not one cancelled or failed meanwhile).
CLAIM = _COMMON + """
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'queued' then return status or 'gone' end
local t = now()
redis.call('HSET', KEYS[1], 'status', 'running', 'worker', ARGV[4], 'started', t, 'heartbeat', t)
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[4], t, ARGV[1])
return 'running'
"""

# ARGV[4] type, ARGV[5] data (JSON), ARGV[6] new status or '', ARGV[7] the failure's reason.
# Returns the event id, 0 when the run had already ended (its terminal event stays the last), -1 when gone.
APPEND = _COMMON + """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return -1 end
if TERMINAL[status] then return 0 end
return append(ARGV[4], ARGV[5], ARGV[6], ARGV[7])
"""

# The worker's beat while it runs a run; answers whether the run was asked to stop.
HEARTBEAT = """
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 1 end
local t = redis.call('TIME')
redis.call('HSET', KEYS[1], 'heartbeat', tonumber(t[1]) + tonumber(t[2]) / 1000000)
return tonumber(redis.call('HGET', KEYS[1], 'cancel'))
"""

# A queued run is cancelled at once; a running one is flagged, and its worker stops it at the next step.
CANCEL = _COMMON + """
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'queued' then
  append('cancelled', '{"reason": "cancelled before it started"}', 'cancelled', '')
  return 'cancelled'
end
if status == 'running' then redis.call('HSET', KEYS[1], 'cancel', 1) end
return status or 'gone'
"""

# ARGV[4] seconds without a heartbeat after which a running run's worker counts as dead, ARGV[5] seconds
# a run may wait in the queue. Ends such a run with an error event; forgets ids whose run expired.
REAP = _COMMON + """
local run = redis.call('HMGET', KEYS[1], 'status', 'heartbeat', 'created', 'worker')
local status = run[1]
if not status then
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('ZREM', KEYS[4], ARGV[1])
  redis.call('ZREM', KEYS[5], ARGV[1])
  return 'gone'
end
local t = now()
if status == 'running' and t - tonumber(run[2]) > tonumber(ARGV[4]) then
  local reason = 'the worker running it (' .. run[4] .. ') stopped answering: no heartbeat for ' ..
                 ARGV[4] .. ' s (was it killed?)'
  append('error', cjson.encode({reason = reason}), 'failed', reason)
  return 'failed'
end
if status == 'queued' and t - tonumber(run[3]) > tonumber(ARGV[5]) then
  local reason = 'no worker took the run within ' .. ARGV[5] .. ' s; is a worker running for its device?'
  append('error', cjson.encode({reason = reason}), 'failed', reason)
  return 'failed'
end
return status
"""

# KEYS[1] a device's workers. ARGV[1] worker name ('' only counts), ARGV[2] seconds a beat counts for,
# ARGV[3] 1 to register the beat, 0 to remove the worker. Returns how many workers are alive.
WORKER_BEAT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
if ARGV[1] ~= '' then
  if ARGV[3] == '1' then redis.call('ZADD', KEYS[1], now, ARGV[1]) else redis.call('ZREM', KEYS[1], ARGV[1]) end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
return redis.call('ZCARD', KEYS[1])
"""

SCRIPTS = {"admit": ADMIT, "claim": CLAIM, "append": APPEND, "heartbeat": HEARTBEAT, "cancel": CANCEL,
           "reap": REAP, "worker_beat": WORKER_BEAT}


def snapshot(fields: dict[str, str]) -> dict:
    """A run's hash as the API reports it (the same shape as the embedded Run.snapshot)."""
    return {"id": fields["id"], "experiment": fields["experiment"], "status": fields["status"],
            "device": fields["device"], "config": json.loads(fields["config"]),
            "final": json.loads(fields["final"]) if fields.get("final") else None,
            "error": fields.get("error") or None}


def event_fields(entry_id: str, fields: dict[str, str]) -> tuple[int, str, dict]:
    """(id, type, data) of a stream entry `0-<id>`."""
    return int(entry_id.split("-", 1)[1]), fields["type"], json.loads(fields["data"])


def encode(data: dict) -> str:
    return json.dumps(data, allow_nan=False, separators=(",", ":"))


def terminal_status(event_type: str) -> Optional[str]:
    return {"done": "done", "cancelled": "cancelled", "error": "failed"}.get(event_type)
