#!/usr/bin/env python3
"""A burst of creates against a running stack (./dev burst [N]).

Creates N small VMs (default 500) over the simulated hosts as fast as the gateway accepts them (bounded concurrency),
waits until every one is final, prints throughput, create-to-running latency, outcomes, checks that no host is over
its capacity and that no domain exists twice, then deletes the VMs. Exit status 0 only when every check holds.

Inputs come from ./dev: the gateway URL, a user token (the VMs' project) and an admin token (GET hosts), the Redis
port (each agent's latest inventory lists the domains of its libvirt connection: the only view of a simulated host's
domains) and the real host's libvirt URI.
"""
import argparse
import concurrent.futures
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime

BODY = {"memory": 512, "vcpus": 1, "storage": {"default_pool": "default", "boot_iso": "ubuntu.iso", "disks": []}}


def request(method, url, token, body=None, key=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if key:
        req.add_header("Idempotency-Key", key)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = raw.decode(errors="replace")
        return e.code, dict(e.headers), payload


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(p / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def create_all(api, token, run, count, concurrency):
    """Posts every create; a 503 is retried with the same Idempotency-Key after its Retry-After."""
    ids, failures, lock = {}, [], threading.Lock()

    def one(i):
        body = dict(BODY, name="burst-%d" % i)
        for _ in range(20):
            status, headers, payload = request("POST", api + "/virtualization/virtualmachines/create-enhanced",
                                               token, body, key="%s-%d" % (run, i))
            if status == 202:
                with lock:
                    ids[i] = payload["id"]
                return
            if status != 503:
                break
            time.sleep(float(headers.get("Retry-After", "1")))
        with lock:
            failures.append((i, status, payload))

    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(count)))
    return [ids[i] for i in sorted(ids)], failures, started, time.time()


def list_vms(api, token):
    vms, page = [], None
    while True:
        url = api + "/virtualization/virtualmachines?page_size=200" + ("&page_token=" + page if page else "")
        status, _, payload = request("GET", url, token)
        if status != 200:
            raise RuntimeError("list answered %s: %s" % (status, payload))
        vms.extend(payload["items"])
        page = payload.get("next_page_token")
        if not page:
            return vms


def await_final(api, token, ids, limit):
    wanted, deadline = set(ids), time.time() + limit
    while True:
        vms = {vm["id"]: vm for vm in list_vms(api, token) if vm["id"] in wanted}
        done = [vm for vm in vms.values() if vm["status"] in ("running", "failed")]
        if len(done) == len(wanted) or time.time() > deadline:
            return vms, time.time()
        time.sleep(0.5)


def inventories(redis_port, host_ids):
    """Each host's latest inventory from the registry (the agent's own view of its libvirt domains)."""
    result = {}
    for host in host_ids:
        raw = subprocess.run(["redis-cli", "-p", str(redis_port), "--raw", "HGET", "vmplane:host:{%s}" % host,
                              "inventory"], capture_output=True, text=True, check=True).stdout.strip()
        result[host] = json.loads(raw) if raw else {}
    return result


def real_host_domains(uri):
    out = subprocess.run(["virsh", "-q", "-c", uri, "list", "--all", "--name"], capture_output=True, text=True)
    return [line.strip() for line in out.stdout.splitlines() if line.strip()] if out.returncode == 0 else []


def check_hosts(api, admin, vms, redis_port, real_uri):
    """Capacity never over its limits; per host, each burst VM running there is a domain there, once, nowhere else."""
    problems = []
    status, _, payload = request("GET", api + "/virtualization/hosts", admin)
    if status != 200:
        return ["GET hosts answered %s" % status], {}
    hosts = {h["id"]: h for h in payload["items"]}
    for host in hosts.values():
        if host["vcpus"]["free"] < 0 or host["memory"]["free_mib"] < 0:
            problems.append("host %s over its limits: %s free vCPUs, %s MiB free" % (
                host["id"], host["vcpus"]["free"], host["memory"]["free_mib"]))
    running = {}
    for vm in vms.values():
        if vm["status"] == "running":
            running.setdefault(vm["host"], set()).add(vm["id"])
    # the agent publishes its inventory after each command: give the last ones a moment to arrive
    deadline = time.time() + 30
    while True:
        inv = inventories(redis_port, [h for h in hosts if hosts[h]["hypervisor"] == "test"])
        domains = {h: list(i.get("domains") or []) for h, i in inv.items()}
        for h in hosts:
            if hosts[h]["hypervisor"] == "qemu":
                domains[h] = real_host_domains(real_uri)
        missing = {h: running.get(h, set()) - set(domains.get(h, [])) for h in running}
        if not any(missing.values()) or time.time() > deadline:
            break
        time.sleep(1)
    burst_ids = set(vms)
    where = {}
    for h, names in domains.items():
        if len(names) != len(set(names)):
            problems.append("host %s lists a domain twice" % h)
        for name in names:
            if name in burst_ids:
                where.setdefault(name, []).append(h)
    for vm_id, places in where.items():
        if len(places) > 1:
            problems.append("domain %s exists on %s" % (vm_id, ", ".join(places)))
        vm = vms[vm_id]
        if vm["status"] != "running" or vm["host"] != places[0]:
            problems.append("domain %s on %s but the VM is %s on %s" % (vm_id, places[0], vm["status"], vm["host"]))
    for h, ids in running.items():
        for vm_id in ids - set(domains.get(h, [])):
            problems.append("VM %s runs on %s but that host has no such domain" % (vm_id, h))
    per_host = {h: {"running_vms": len(running.get(h, ())), "burst_domains": sum(1 for v in where.values() if v[0] == h),
                    "vcpus_free": hosts[h]["vcpus"]["free"], "memory_free_mib": hosts[h]["memory"]["free_mib"]}
                for h in sorted(hosts)}
    return problems, per_host


def delete_all(api, token, ids, concurrency, limit):
    def one(vm_id):
        for _ in range(20):
            status, headers, payload = request(
                "DELETE", api + "/virtualization/virtualmachines/%s?delete_volumes=true" % vm_id, token)
            if status in (202, 404):
                return status
            if status == 409:   # its current operation has not ended yet
                time.sleep(1)
                continue
            if status != 503:
                return status
            time.sleep(float(headers.get("Retry-After", "1")))
        return status

    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        answers = list(pool.map(one, ids))
    wanted, deadline = set(ids), time.time() + limit
    while time.time() < deadline:
        left = [vm for vm in list_vms(api, token) if vm["id"] in wanted and vm["status"] != "deleted"]
        if not left:
            break
        time.sleep(0.5)
    else:
        left = [vm for vm in list_vms(api, token) if vm["id"] in wanted and vm["status"] != "deleted"]
    return answers, left, time.time() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=500)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--api", required=True)
    parser.add_argument("--user-token", required=True)
    parser.add_argument("--admin-token", required=True)
    parser.add_argument("--redis-port", type=int, required=True)
    parser.add_argument("--real-uri", default="qemu:///system")
    parser.add_argument("--run", required=True, help="unique name of this run (Idempotency-Key prefix)")
    parser.add_argument("--final-timeout", type=float, default=600)
    parser.add_argument("--keep", action="store_true", help="leave the VMs instead of deleting them")
    parser.add_argument("--out", help="write the results as JSON here")
    args = parser.parse_args()
    if args.count < 1 or args.concurrency < 1:
        parser.error("count and concurrency must be at least 1")

    print("burst: %d creates, %d in flight" % (args.count, args.concurrency), flush=True)
    ids, refused, t_start, t_accepted = create_all(args.api, args.user_token, args.run, args.count, args.concurrency)
    print("accepted %d of %d in %.1f s (%.1f creates/s)%s" % (
        len(ids), args.count, t_accepted - t_start, len(ids) / max(t_accepted - t_start, 1e-9),
        "; refused: %s" % refused[:3] if refused else ""), flush=True)
    vms, t_final = await_final(args.api, args.user_token, ids, args.final_timeout)
    pending = [vm_id for vm_id in ids if vms.get(vm_id, {}).get("status") not in ("running", "failed")]

    running = [vm for vm in vms.values() if vm["status"] == "running"]
    latencies = [parse_time(vm["updated_at"]) - parse_time(vm["created_at"]) for vm in running]
    first_created = min((parse_time(vm["created_at"]) for vm in vms.values()), default=t_start)
    last_final = max((parse_time(vm["updated_at"]) for vm in vms.values()), default=t_final)
    counts = {}
    for vm in vms.values():
        label = vm["status"] + ("/" + vm["reason"] if vm.get("reason") else "")
        counts[label] = counts.get(label, 0) + 1
    problems, per_host = check_hosts(args.api, args.admin_token, vms, args.redis_port, args.real_uri)
    if refused:
        problems.append("%d creates not accepted" % len(refused))
    if pending:
        problems.append("%d VMs not final after %.0f s" % (len(pending), args.final_timeout))
    for vm in vms.values():
        if vm["status"] == "failed" and not vm.get("reason"):
            problems.append("VM %s failed without a code" % vm["id"])

    results = {
        "count": args.count, "concurrency": args.concurrency, "accepted": len(ids),
        "accept_seconds": round(t_accepted - t_start, 3),
        "creates_per_second_accepted": round(len(ids) / max(t_accepted - t_start, 1e-9), 1),
        "seconds_to_all_final": round(last_final - first_created, 3),
        "vms_per_second_to_final": round(len(vms) / max(last_final - first_created, 1e-9), 1),
        "create_to_running_seconds": {"p50": round(percentile(latencies, 50), 3),
                                      "p99": round(percentile(latencies, 99), 3),
                                      "max": round(max(latencies), 3) if latencies else None},
        "outcomes": counts, "hosts": per_host, "problems": problems,
    }
    print("final: %d VMs in %.1f s from the first create (%.1f VMs/s); create-to-running p50 %.2f s, p99 %.2f s" % (
        len(vms), results["seconds_to_all_final"], results["vms_per_second_to_final"],
        results["create_to_running_seconds"]["p50"], results["create_to_running_seconds"]["p99"]))
    print("outcomes: " + ", ".join("%s %d" % item for item in sorted(counts.items())))
    for host, line in per_host.items():
        print("  %-12s %4d running here, %4d burst domains, %5d vCPUs free, %7d MiB free" % (
            host, line["running_vms"], line["burst_domains"], line["vcpus_free"], line["memory_free_mib"]))

    if not args.keep:
        answers, left, seconds = delete_all(args.api, args.user_token, ids, args.concurrency, args.final_timeout)
        results["delete_seconds"] = round(seconds, 3)
        bad = [a for a in answers if a not in (202, 404)]
        if bad or left:
            problems.append("delete: %d refused, %d not deleted" % (len(bad), len(left)))
        print("deleted %d VMs in %.1f s" % (len(ids) - len(left), seconds))
    print("checks: " + ("OK (no host over capacity, no duplicate domain, every VM final)" if not problems
                        else "FAILED\n  " + "\n  ".join(problems[:20])))
    if args.out:
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
        with open(args.out, "w") as out:
            json.dump(results, out, indent=2)
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
