#!/usr/bin/env python3
"""lua_costs.py - what things cost inside a Redis Lua script, in redis-server instructions
(callgrind, immune to the machine's load): the unit costs behind the claim and ack scripts'
budget per message (docs/performance.md "End to end after the lean scripts").

Each case runs R times against a redis-server under callgrind, with the counters zeroed
before and dumped after, and prints the instructions per repetition. Redis 7.0 hashes every
byte of every string that enters Lua (ARGV, and each redis.call reply), so payloads cost in
proportion to their size there, and not in plain commands.

Usage: bench/lua_costs.py
Needs valgrind (callgrind_control), redis-server and python3-redis.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import redisbench as rb  # noqa: E402

N = 64  # a batch


def cases(srv):
    """Measures and prints each case against srv (a CallgrindRedis)."""
    r = srv.client

    def measure(label, fn, reps, per):
        fn()
        srv.zero()
        for _ in range(reps):
            fn()
        total = srv.dumped_total()
        print("%-62s %9.0f" % (label, total / reps / per), flush=True)

    raw = ["x" * 2000 + "%03d" % i for i in range(N)]
    res = ["y" * 4800 + "%03d" % i for i in range(N)]

    def fill(key, vals):
        r.delete(key)
        r.lpush(key, *vals)

    print("instructions per element (%d per script)" % N)
    measure("a redis.call('EXISTS', k)", lambda: r.eval(
        "for i = 1, %d do redis.call('EXISTS', 'k') end" % N, 0), 20, N)
    measure("an ARGV of 4 bytes", lambda: r.eval("return 1", 0, *[str(i) for i in range(N)]), 20, N)
    measure("an ARGV of 2,000 bytes (a message)", lambda: r.eval("return 1", 0, *raw), 20, N)
    measure("an ARGV of 4,800 bytes (a result)", lambda: r.eval("return 1", 0, *res), 20, N)
    measure("redis.sha1hex of a 2,000-byte ARGV (the ARGV included)", lambda: r.eval(
        "for i = 1, #ARGV do redis.sha1hex(ARGV[i]) end", 0, *raw), 20, N)
    fill("{c}:q", raw)
    measure("LINDEX of a 2,000-byte element into Lua", lambda: r.eval(
        "for i = 1, %d do redis.call('LINDEX', KEYS[1], -i) end" % N, 1, "{c}:q"), 20, N)
    measure("LRANGE of 2,000-byte elements into Lua", lambda: r.eval(
        "redis.call('LRANGE', KEYS[1], 0, -1)", 1, "{c}:q"), 20, N)
    measure("LRANGE of 2,000-byte elements, plain command", lambda: r.lrange("{c}:q", 0, -1), 20, N)

    def args_only():
        fill("{c}:p", raw)
        r.eval("return 1", 1, "{c}:p", *raw)

    def lrem():
        fill("{c}:p", raw)
        r.eval("for i = 1, #ARGV do redis.call('LREM', KEYS[1], -1, ARGV[i]) end", 1, "{c}:p", *raw)

    def lrange_ltrim():
        fill("{c}:p", raw)
        r.eval("local t = redis.call('LRANGE', KEYS[1], -#ARGV, -1)\n"
               "for i = 1, #ARGV do if t[#ARGV - i + 1] ~= ARGV[i] then return 0 end end\n"
               "redis.call('LTRIM', KEYS[1], 0, -#ARGV - 1) return 1", 1, "{c}:p", *raw)

    measure("the batch's messages as ARGV (the base of the next two)", args_only, 20, N)
    measure("  + LREM each from the tail", lrem, 20, N)
    measure("  + one LRANGE of the tail, compared, one LTRIM", lrange_ltrim, 20, N)

    def argv_push():
        r.eval("redis.call('LPUSH', KEYS[1], unpack(ARGV))", 1, "{c}:results", *res)
        r.delete("{c}:results")

    def stage_lmove_in_lua():
        p = r.pipeline(transaction=True)
        p.rpush("{c}:stage", *res)
        p.eval("for i = 1, tonumber(ARGV[1]) do redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT',"
               " 'LEFT') end redis.call('DEL', KEYS[1])", 2, "{c}:stage", "{c}:results", N)
        p.delete("{c}:results")
        p.execute()

    def stage_key_rename():
        p = r.pipeline(transaction=True)
        for i in range(N):
            p.rpush("{c}:stage:%d" % i, res[i])
        keys = ["{c}:stage:%d" % i for i in range(N)] + ["{c}:ready:%d" % i for i in range(N)]
        p.eval("local n = #KEYS / 2 for i = 1, n do redis.call('RENAME', KEYS[i], KEYS[n + i])"
               " end", len(keys), *keys)
        for i in range(N):
            p.lmove("{c}:ready:%d" % i, "{c}:results", "LEFT", "LEFT")
        p.delete(*keys)
        p.delete("{c}:results")
        p.execute()

    measure("a 4,800-byte result pushed: as ARGV, one LPUSH in Lua", argv_push, 20, N)
    measure("  staged (RPUSH, MULTI), LMOVEd in Lua", stage_lmove_in_lua, 20, N)
    measure("  staged per key (RPUSH), RENAMEd in Lua, plain LMOVE", stage_key_rename, 20, N)


def main():
    srv = rb.CallgrindRedis(prefix="lua-costs-")
    try:
        cases(srv)
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
