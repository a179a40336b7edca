"""The 3-node layouts of bench/scenarios/cluster-churn: Redis, three Larder nodes on
127.0.0.2-4 and HAProxy with the documented config (config/haproxy.cfg.in), either as shipped
(`balance uri` on a consistent-hash ring) or with `balance roundrobin` instead, the layout the
issue compares against. Every process is registered with bench/run's Procs.
"""
import os
import subprocess

import harness

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _wait(host, port, proc, what):
    import socket
    import time
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("%s exited with %s" % (what, proc.returncode))
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("%s did not listen on %s:%d" % (what, host, port))


def start(ctx, scen, kind, origin, sdir, larder_binary):
    """Starts the layout `kind` ("larder-3-hash" or "larder-3-roundrobin"); returns
    (haproxy port, [processes])."""
    c = scen["cluster"]
    procs = []
    redis_port = harness.free_port()
    redis = ctx.procs.start("redis", ["redis-server", "--port", str(redis_port), "--bind",
                                      "127.0.0.1", "--save", "", "--appendonly", "no", "--dir",
                                      sdir], os.path.join(sdir, "redis.log"))
    procs.append(redis)
    _wait("127.0.0.1", redis_port, redis, "redis-server")
    servers = []
    for i in range(c["nodes"]):
        host = "127.0.0.%d" % (i + 2)
        port, admin = harness.free_port(), harness.free_port()
        conf = os.path.join(sdir, "node%d.toml" % (i + 1))
        values = ctx.values(LISTEN="%s:%d" % (host, port), ADMIN="%s:%d" % (host, admin),
                            ORIGIN="127.0.0.1:%d" % origin["port"], NODE="node%d" % (i + 1),
                            REDIS="127.0.0.1:%d" % redis_port, WORKERS=c["workers"],
                            NODE_MAX_SIZE=c["node_max_size"])
        with open(conf, "w") as f:
            f.write(harness.render(os.path.join(scen["dir"], "node.toml"), values))
        proc = ctx.procs.start("node%d" % (i + 1), [larder_binary, "--config", conf],
                               os.path.join(sdir, "node%d.log" % (i + 1)))
        procs.append(proc)
        _wait(host, port, proc, "larder node%d" % (i + 1))
        servers.append("    server node%d %s:%d check port %d" % (i + 1, host, port, admin))
    port = harness.free_port()
    with open(os.path.join(ROOT, "config", "haproxy.cfg.in")) as f:
        text = f.read()
    text = (text.replace("@BIND@", "127.0.0.1:%d" % port).replace("@SERVERS@", "\n".join(servers))
            .replace("@CHECK_INTER@", "1s"))
    if kind.endswith("roundrobin"):
        text = text.replace("    balance uri\n    hash-type consistent\n", "    balance roundrobin\n")
        assert "balance roundrobin" in text
    cfg = os.path.join(sdir, "haproxy.cfg")
    with open(cfg, "w") as f:
        f.write(text)
    proxy = ctx.procs.start("haproxy", ["haproxy", "-db", "-f", cfg], os.path.join(sdir, "haproxy.log"))
    procs.append(proxy)
    _wait("127.0.0.1", port, proxy, "haproxy")
    return port, procs
