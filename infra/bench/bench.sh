#!/usr/bin/env bash
# ./dev bench [console|api|pipeline|footprint|all|smoke]: the benchmarks of issue 6 on a stack of their own.
#
# The bench stack never touches the ./dev up stack: its state is .dev/bench/stack, its ports are the dev ports + 20000
# (Redis 26390, Kafka 29092/29093, gateway 28080, console proxy 28090, workers 28101+, agents 28111+; + 10000 is
# taken by test stacks here), its libvirt domains carry its own stack id, and it is stopped (and its state removed)
# when the run ends. The functions that start Redis, Kafka and the services are dev's own (this script sources ./dev).
#
# Results: a table on stdout, .dev/bench/latest.json ([{name, value, unit, anchor, anchor_value, ratio, target, met}])
# and .dev/bench/details.json (the same rows with spread and notes). `smoke` runs the console suite's anchors with tiny
# sizes (no stack), writes .dev/bench/smoke/, and checks the JSON: ./dev test runs it.
# Environment: BENCH_ROUNDS (default 3), BENCH_PIPELINE_VMS (1000), BENCH_PIPELINE_HOSTS (8), BENCH_API_SECONDS (10).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../../dev
source "$BENCH_DIR/../../dev"
CLIENT="$BENCH_DIR/client"
OUT="$ROOT/.dev/bench"
DEV="$OUT/stack"
OFFSET=20000
REDIS_PORT=$((6390 + OFFSET)); KAFKA_PORT=$((9092 + OFFSET)); KAFKA_CONTROLLER_PORT=$((9093 + OFFSET))
GATEWAY_PORT=$((8080 + OFFSET)); CONSOLE_PORT=$((8090 + OFFSET))
ANCHOR_PORT=$((8079 + OFFSET)); UPSTREAM_PORT=$((5990 + OFFSET)); WEBSOCKIFY_PORT=$((5991 + OFFSET))
ECHO_PORT=$((5992 + OFFSET))
ROUNDS="${BENCH_ROUNDS:-3}"
PARTS=()
AGENT_ARGS=()
# bench configuration only: one VM's console opened thousands of times (set-ups, idle sessions) by one user
CONSOLE_LIMITS=(--vmplane.console.max-sessions-per-vm=20000 --vmplane.console.max-sessions-per-user=20000
                --vmplane.console.max-sessions-per-instance=20000 --vmplane.console.busy-policy=refuse)
HEALTH_TIMEOUT="${VMPLANE_HEALTH_TIMEOUT:-300}"   # 13 JVMs starting at once on 2 cores
HELPERS=()   # pid files (under $DEV/pids) of the helper processes this run started

# ---------------------------------------------------------------------------------------------------------------
# Tooling: the Node client (npm ci into infra/bench/client/node_modules, gitignored) and the Java anchors
# ---------------------------------------------------------------------------------------------------------------

ensure_client() {
  have node || die "node is missing (./dev up installs it)"
  if [ ! -f "$CLIENT/node_modules/.package-lock.json" ] || [ "$CLIENT/package-lock.json" -nt "$CLIENT/node_modules/.package-lock.json" ]; then
    say "bench: npm ci (ws, bufferutil) ..."
    (cd "$CLIENT" && npm ci --no-audit --no-fund --loglevel=error >"$DEV/logs/npm.log" 2>&1) \
      || { tail -n 20 "$DEV/logs/npm.log" >&2; die "npm ci failed in $CLIENT"; }
  fi
}

anchor_jar() { printf '%s/webflux-anchor/target/bench-webflux-anchor-%s.jar' "$BENCH_DIR" "$VERSION"; }

ensure_anchors() {
  if [ ! -f "$(anchor_jar)" ] || [ -n "$(find "$BENCH_DIR/webflux-anchor/src" "$BENCH_DIR/webflux-anchor/pom.xml" -newer "$(anchor_jar)" -type f -print -quit)" ]; then
    say "bench: building the WebFlux anchor ..."
    ./mvnw -q -B -f "$BENCH_DIR/webflux-anchor/pom.xml" package -DskipTests >"$DEV/logs/anchor-build.log" 2>&1 \
      || { tail -n 30 "$DEV/logs/anchor-build.log" >&2; die "the WebFlux anchor does not build"; }
  fi
  if [ ! -s "$BENCH_DIR/kafka-tools/target/kafka-tools-classpath.txt" ]; then
    ./mvnw -q -B -f "$BENCH_DIR/kafka-tools/pom.xml" generate-resources >"$DEV/logs/kafka-tools.log" 2>&1 \
      || { tail -n 30 "$DEV/logs/kafka-tools.log" >&2; die "kafka-tools' class path does not resolve"; }
  fi
}

ensure_service_jars() {
  local module
  for module in api-gateway provisioning-worker host-agent console-proxy; do
    [ -f "$(jar_of "$module")" ] || die "$(jar_of "$module") is missing: ./dev up (or ./mvnw -q -B -DskipTests install) first"
  done
  [ -s infra/kafka-broker/target/kafka-classpath.txt ] || die "the broker class path is missing: ./dev up first"
}

# helper NAME CMD...: a background process of this run, its pid in $DEV/pids/NAME.pid, its log in $DEV/logs
helper() {
  local name="$1"; shift
  (exec setsid nohup "$@" </dev/null >>"$DEV/logs/$name.log" 2>&1 9>&-) &
  echo $! >"$DEV/pids/$name.pid"
  HELPERS+=("$name")
}

await_port() { # await_port PORT NAME
  local i
  for i in $(seq 1 300); do port_busy "$1" && return 0; alive "$2" || break; sleep 0.1; done
  log_tail "$2"; die "$2 does not listen on $1"
}

# ---------------------------------------------------------------------------------------------------------------
# The bench stack
# ---------------------------------------------------------------------------------------------------------------

bench_stack_id() {
  [ -s "$DEV/stack-id" ] || printf 'bench-%s\n' "$(openssl rand -hex 4)" >"$DEV/stack-id"
  stack_id
}

# start_stack WORKERS SIM_HOSTS QEMU(0|1) CONSOLES [CONSOLE_HEAP]: dev's services on the bench ports, then waits until
# all are healthy. start_stack 2 2 1 2 is ./dev up's default composition, with its heaps.
start_stack() {
  local workers="$1" hosts="$2" qemu="$3" consoles="$4" console_heap="${5:-160m}"
  local redis="--vmplane.redis.uri=redis://127.0.0.1:$REDIS_PORT"
  secret_file >/dev/null
  start_redis
  start_kafka
  SERVICE_NAMES=()
  svc gateway api-gateway "$GATEWAY_PORT" 256m "$(kafka_arg)" "$redis" "--vmplane.gateway.jwt-secret-file=$DEV/jwt-secret" \
    "--vmplane.gateway.console-proxies=http://127.0.0.1:$CONSOLE_PORT,http://127.0.0.1:$((CONSOLE_PORT + 1))" \
    --vmplane.gateway.console-tokens-per-minute=1000000
  # the gateway first: started together with nine other JVMs on a loaded 2-core machine it can miss its 3 s Redis
  # connection timeout at start and exit
  await_healthy gateway
  local i
  for i in $(seq 1 "$workers"); do
    svc "worker-$i" provisioning-worker $((8100 + OFFSET + i)) 192m "$(kafka_arg)" "$redis" "--vmplane.worker.instance-id=bench-worker-$i"
  done
  for i in $(seq 1 "$consoles"); do
    svc "console-$i" console-proxy $((CONSOLE_PORT + i - 1)) "$console_heap" "$redis" "--vmplane.console.instance-id=bench-console-$i" \
      "${CONSOLE_LIMITS[@]}"
  done
  if [ "$qemu" = 1 ]; then
    agent_args
    ensure_libvirtd
    ensure_default_pool
    svc agent-qemu-1 host-agent $((8111 + OFFSET)) 160m "${AGENT_ARGS[@]}" --vmplane.agent.host-id=qemu-1 \
      "--vmplane.agent.libvirt-uri=$SYSTEM_URI" --vmplane.agent.pinned-only=true
  fi
  start_sims 1 "$hosts"
}

agent_args() {
  AGENT_ARGS=(--vmplane.agent.console-address=127.0.0.1 "--vmplane.agent.stack-id=$(bench_stack_id)"
              --vmplane.agent.heartbeat-interval=3s "$(kafka_arg)")
}

# svc NAME ...: dev's start_service; with BENCH_JFR=1 the JVM also records a profile to .dev/bench/jfr/PHASE-NAME.jfr
svc() {
  local saved=("${JVM_FLAGS[@]}")
  if [ "${BENCH_JFR:-0}" = 1 ]; then
    mkdir -p "$OUT/jfr"
    JVM_FLAGS+=("-XX:StartFlightRecording=filename=$OUT/jfr/${JFR_PHASE:-run}-$1.jfr,settings=profile,dumponexit=true")
  fi
  start_service "$@"
  JVM_FLAGS=("${saved[@]}")
}

kafka_arg() { printf '%s' "--spring.kafka.bootstrap-servers=127.0.0.1:$KAFKA_PORT"; }

# start_sims FROM TO: simulated hosts sim-FROM..sim-TO, then waits until every service started is healthy
start_sims() {
  local from="$1" to="$2" i name
  agent_args
  if [ "$to" -ge 1 ]; then write_sim_hosts "$to"; fi
  for i in $(seq "$from" "$to"); do
    svc "agent-sim-$i" host-agent $((8111 + OFFSET + i)) 160m "${AGENT_ARGS[@]}" "--vmplane.agent.host-id=sim-$i" \
      "--vmplane.agent.libvirt-uri=test://$DEV/hosts/sim-$i.xml" --vmplane.agent.pinned-only=false
  done
  for name in "${SERVICE_NAMES[@]}"; do await_healthy "$name"; done
}

stop_stack() {
  [ -d "$DEV/pids" ] || return 0
  local pidfile name services=()
  for pidfile in "$DEV"/pids/*.pid; do
    [ -e "$pidfile" ] || continue
    name="$(basename "$pidfile" .pid)"
    case "$name" in redis|kafka) ;; *) services+=("$name") ;; esac
  done
  [ ${#services[@]} -eq 0 ] || stop_pids "${services[@]}" >/dev/null
  stop_pid kafka >/dev/null
  if alive redis redis-server; then redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; fi
  rm -f "$DEV/pids/redis.pid"
  clean_libvirt >/dev/null
  # the state goes with the stack (commands left in Kafka must not reach the next run's workers); logs stay
  rm -rf "$DEV/redis" "$DEV/kafka" "$DEV/jars" "$DEV/hosts" "$DEV/stack-id"
}

on_exit() {
  local rc=$?
  say "bench: stopping the bench stack ..."
  stop_stack || true
  if [ "${BENCH_JFR:-0}" = 1 ] && compgen -G "$OUT/jfr/*.jfr" >/dev/null; then
    node "$CLIENT/jfr-top.mjs" "$OUT"/jfr/*.jfr >"$OUT/jfr/summary.txt" 2>&1 || true
    say "bench: profiles summarised in $OUT/jfr/summary.txt"
  fi
  exit "$rc"
}

token() { cmd_token "$@" | tail -n 1; }

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# ---------------------------------------------------------------------------------------------------------------
# Suites: each writes $OUT/parts/SUITE.json (rows) and appends it to PARTS
# ---------------------------------------------------------------------------------------------------------------

# console_anchors: the upstream, websockify in front of it, and the bare WebSocket echo (the client's ceiling)
console_anchors() {
  helper upstream node "$CLIENT/upstream.mjs" --tcp "$UPSTREAM_PORT"
  helper ws-echo node "$CLIENT/upstream.mjs" --ws "$ECHO_PORT"
  helper websockify websockify "127.0.0.1:$WEBSOCKIFY_PORT" "127.0.0.1:$UPSTREAM_PORT"
  await_port "$UPSTREAM_PORT" upstream; await_port "$ECHO_PORT" ws-echo; await_port "$WEBSOCKIFY_PORT" websockify
}

# suite_console SIZE(smoke|full) WITH_STACK(0|1)
suite_console() {
  local size="$1" with_stack="$2" proxy=null gateway=null proxy_pid=null
  local unavailable='{"proxy": "not measured without the bench stack (smoke)", "gateway": "not measured without the bench stack (smoke)"}'
  console_anchors
  if [ "$with_stack" = 1 ]; then
    if console_paths; then
      local path="/api/v1/virtualization/virtualmachines/$CONSOLE_VM/console"
      local api="http://127.0.0.1:$GATEWAY_PORT$path" bearer; bearer="$(token --admin)"
      proxy="$(jq -nc --arg c "$api" --arg b "$bearer" --arg u "ws://127.0.0.1:$((CONSOLE_PORT + 2))$path/ws?token={token}" \
        '{kind: "ws", console: $c, bearer: $b, url: $u}')"
      gateway="$(jq -nc --arg c "$api" --arg b "$bearer" --arg u "ws://127.0.0.1:$GATEWAY_PORT$path/ws?token={token}" \
        '{kind: "ws", console: $c, bearer: $b, url: $u}')"
      proxy_pid="$(pid_of console-3)"
    else
      unavailable="$(jq -nc --arg r "$CONSOLE_UNAVAILABLE" '{proxy: $r, gateway: $r}')"
    fi
  fi
  local sizes
  if [ "$size" = smoke ]; then
    sizes='{"seconds": 0.3, "warmup": 0.1, "rttCount": 100, "setupCount": 20, "setupRate": 200, "idleCount": 50, "idleWebsockifyCount": 5}'
  else
    sizes='{"seconds": 3, "warmup": 1, "rttCount": 5000, "setupCount": 1000, "setupRate": 200, "idleCount": 8000, "idleWebsockifyCount": 100}'
  fi
  local rounds="$ROUNDS"; [ "$size" = smoke ] && rounds=3
  jq -n --argjson s "$sizes" --argjson rounds "$rounds" --arg out "$OUT/parts/console.json" \
    --argjson up "$UPSTREAM_PORT" --argjson wsfy "$WEBSOCKIFY_PORT" --argjson echo "$ECHO_PORT" \
    --argjson proxy "$proxy" --argjson gateway "$gateway" --argjson proxyPid "$proxy_pid" \
    --argjson wsfyPid "$(pid_of websockify)" --argjson unavailable "$unavailable" \
    '$s + {rounds: $rounds, out: $out, idleTarget: 8000, idleHeapMiB: 512, proxyPid: $proxyPid, websockifyPid: $wsfyPid,
      unavailable: $unavailable,
      paths: {raw: {kind: "tcp", host: "127.0.0.1", port: $up}, websockify: {kind: "ws", url: "ws://127.0.0.1:\($wsfy)/"},
              proxy: $proxy, gateway: $gateway, ceiling: {kind: "ws", url: "ws://127.0.0.1:\($echo)/"}}}' >"$OUT/console-config.json"
  say "bench: console ($size, $rounds rounds) ..."
  node "$CLIENT/console.mjs" "$OUT/console-config.json"
  PARTS+=("$OUT/parts/console.json")
  stop_pids "${HELPERS[@]}" >/dev/null; HELPERS=()
}

# suite_api: Redis, Kafka and the gateway only (no workers: the worker group is paused, so no backlog builds); the
# VMs it creates go with the stack's state when it stops
suite_api() {
  say "bench: api: Redis, Kafka, the gateway (no workers) and the WebFlux anchor ..."
  JFR_PHASE=api
  start_stack 0 0 0 0
  helper webflux-anchor java -Xmx256m "${JVM_FLAGS[@]}" -jar "$(anchor_jar)" "--server.port=$ANCHOR_PORT"
  await_port "$ANCHOR_PORT" webflux-anchor
  local bearer vm api="http://127.0.0.1:$GATEWAY_PORT/api/v1"
  bearer="$(token)"
  vm="$(curl -fsS -X POST "$api/virtualization/virtualmachines/create-enhanced" -H "Authorization: Bearer $bearer" \
    -H 'Content-Type: application/json' -H "Idempotency-Key: bench-read-$(date +%s%N)" \
    --data '{"name":"bench-read","memory":128,"vcpus":1,"storage":{"default_pool":"default","disks":[{"action":"create","size":1}]}}' | jq -r .id)"
  [ -n "$vm" ] && [ "$vm" != null ] || die "the gateway did not accept a create"
  jq -n --arg gw "$api" --arg anchor "http://127.0.0.1:$ANCHOR_PORT" --arg token "$bearer" --arg vm "$vm" \
    --arg cp "$(cat "$BENCH_DIR/kafka-tools/target/kafka-tools-classpath.txt"):$(cat infra/kafka-broker/target/kafka-classpath.txt)" \
    --arg data "$DEV/kafka/data" --arg out "$OUT/parts/api.json" --argjson rounds "$ROUNDS" \
    --argjson seconds "${BENCH_API_SECONDS:-10}" --argjson records "${BENCH_KAFKA_RECORDS:-200000}" \
    --argjson gw_pid "$(pid_of gateway)" --argjson anchor_pid "$(pid_of webflux-anchor)" \
    --argjson kafka_pid "$(pid_of kafka)" --argjson redis_pid "$(pid_of redis)" \
    '{gateway: $gw, anchor: $anchor, token: $token, vmId: $vm, kafkaClasspath: $cp, kafkaData: $data,
      topic: "vm.commands.v1", bootstrap: "127.0.0.1:'"$KAFKA_PORT"'", kafkaRecords: $records, out: $out,
      rounds: $rounds, seconds: $seconds, warmup: 15, threads: 1, connections: 32,
      pids: {gateway: $gw_pid, anchor: $anchor_pid, kafka: $kafka_pid, redis: $redis_pid, self: "self"}}' >"$OUT/api-config.json"
  node "$CLIENT/api.mjs" "$OUT/api-config.json"
  PARTS+=("$OUT/parts/api.json")
  say "bench: api: stopping its stack (its VMs and commands go with it) ..."
  stop_stack
  HELPERS=()
}

# suite_footprint: ./dev up's default composition (Redis, Kafka, gateway, 2 workers, 2 console proxies, the real host's
# agent, 2 simulated hosts) started on a built tree: seconds until all are healthy, and the resident memory of them all
suite_footprint() {
  say "bench: footprint: ./dev up's default composition on the bench ports ..."
  JFR_PHASE=stack
  local t0 t1 name pid total=0 count=0
  t0="$(date +%s%N)"
  start_stack 2 2 1 2
  t1="$(date +%s%N)"
  sleep 5   # the services settle (first heartbeats, inventories) before their memory is read
  for pidfile in "$DEV"/pids/*.pid; do
    name="$(basename "$pidfile" .pid)"; pid="$(pid_of "$name")"
    [ -n "$pid" ] || continue
    total=$((total + $(rss_kib "$pid"))); count=$((count + 1))
  done
  jq -n --argjson up "$(( (t1 - t0) / 1000000 ))" --argjson rss "$total" --argjson n "$count" '[
    {name: "footprint.up_healthy_s", value: ($up / 1000), unit: "s", anchor: null, anchor_value: null, ratio: null,
     target: "<= 60 s", met: ($up / 1000 <= 60), note: "Redis, Kafka and the services of ./dev up (built tree) until all are healthy"},
    {name: "footprint.stack_rss", value: (($rss / 1024 / 1024 * 100 | round) / 100), unit: "GiB", anchor: null, anchor_value: null,
     ratio: null, target: "<= 4 GiB", met: ($rss / 1024 / 1024 <= 4), note: "resident memory of \($n) processes, guests excluded"}]' \
    >"$OUT/parts/footprint.json"
  PARTS+=("$OUT/parts/footprint.json")
  say "bench: footprint: healthy after $(( (t1 - t0) / 1000000 )) ms, $((total / 1024)) MiB resident in $count processes"
}

# suite_pipeline: the stack grows to BENCH_PIPELINE_HOSTS simulated hosts, then pipeline.mjs
suite_pipeline() {
  local hosts="${BENCH_PIPELINE_HOSTS:-8}"
  say "bench: pipeline: $hosts simulated hosts ..."
  SERVICE_NAMES=()
  start_sims 3 "$hosts"
  jq -n --arg api "http://127.0.0.1:$GATEWAY_PORT/api/v1" --arg token "$(token)" --arg admin "$(token --admin)" \
    --arg stack "$(bench_stack_id)" --arg out "$OUT/parts/pipeline.json" --argjson count "${BENCH_PIPELINE_VMS:-1000}" \
    --argjson hosts "$hosts" --argjson qemu "${BENCH_QEMU_VMS:-10}" \
    '{api: $api, token: $token, adminToken: $admin, stackId: $stack, out: $out, count: $count, hosts: $hosts,
      qemuCount: $qemu, timeoutSeconds: 180}' >"$OUT/pipeline-config.json"
  node "$CLIENT/pipeline.mjs" "$OUT/pipeline-config.json"
  PARTS+=("$OUT/parts/pipeline.json")
}

# console_paths: a VM on sim-1 whose graphics port is the upstream's, a third proxy instance with the idle-session
# target's heap (path (c) and the idle sessions go to it), then a console token asked for as a client would. Sets
# CONSOLE_VM, or CONSOLE_UNAVAILABLE with the reason when the gateway does not hand out a token.
console_paths() {
  local api="http://127.0.0.1:$GATEWAY_PORT/api/v1/virtualization/virtualmachines" admin body code i status
  admin="$(token --admin)"
  SERVICE_NAMES=()
  svc console-3 console-proxy $((CONSOLE_PORT + 2)) 512m "--vmplane.redis.uri=redis://127.0.0.1:$REDIS_PORT" \
    --vmplane.console.instance-id=bench-console-3 "${CONSOLE_LIMITS[@]}"
  await_healthy console-3
  body="$(jq -nc --argjson port "$UPSTREAM_PORT" '{name: "bench-console", memory: 256, vcpus: 1,
    storage: {default_pool: "default", boot_iso: "ubuntu.iso", disks: []}, graphics: {type: "vnc", port: $port},
    placement: {host: "sim-1"}}')"
  CONSOLE_VM="$(curl -fsS -X POST "$api/create-enhanced" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -H "Idempotency-Key: bench-console-$(date +%s%N)" --data "$body" | jq -r .id)"
  for i in $(seq 1 300); do
    status="$(curl -fsS -H "Authorization: Bearer $admin" "$api/$CONSOLE_VM" | jq -r .status)"
    [ "$status" = running ] || [ "$status" = failed ] && break
    sleep 0.2
  done
  [ "$status" = running ] || { CONSOLE_UNAVAILABLE="the console VM on sim-1 is $status"; return 1; }
  code="$(curl -sS -o "$OUT/console-probe.json" -w '%{http_code}' -H "Authorization: Bearer $admin" "$api/$CONSOLE_VM/console")"
  [ "$code" = 200 ] || { CONSOLE_UNAVAILABLE="GET .../console answered HTTP $code (the gateway's console endpoints have not landed)"; return 1; }
  rm -f "$OUT/console-probe.json"
}

main_bench() {
  local what="${1:-all}"
  case "$what" in console|api|pipeline|footprint|all|smoke) ;; *) die "usage: ./dev bench [console|api|pipeline|footprint|all|smoke]" ;; esac
  ulimit -n 20000 2>/dev/null || true
  ensure_dev_dir
  exec 9>"$OUT/lock"; flock -n 9 || die "another ./dev bench runs (.dev/bench/lock)"
  rm -rf "$OUT/parts" "$OUT/jfr"; mkdir -p "$OUT/parts"
  trap on_exit EXIT
  ensure_client
  if [ "$what" = smoke ]; then
    suite_console smoke 0
    node "$CLIENT/report.mjs" "$OUT/smoke" "${PARTS[@]}"
    check_json "$OUT/smoke/latest.json"
    say "bench: smoke passed ($OUT/smoke/latest.json is well-formed)"
    return 0
  fi
  ensure_service_jars
  ensure_anchors
  case "$what" in
    console) JFR_PHASE=stack; start_stack 1 1 0 2; suite_console "${BENCH_CONSOLE_SIZE:-full}" 1 ;;
    api) suite_api ;;
    footprint) suite_footprint ;;
    pipeline) suite_footprint; suite_pipeline ;;
    all) suite_api; suite_footprint; suite_console "${BENCH_CONSOLE_SIZE:-full}" 1; suite_pipeline ;;
  esac
  node "$CLIENT/report.mjs" "$OUT" "${PARTS[@]}"
  check_json "$OUT/latest.json"
}

# check_json FILE: an array of rows with exactly the issue's keys, each of its type, and at least one measured value
check_json() {
  jq -e '
    type == "array" and length > 0
    and all(.[]; (keys == (["anchor", "anchor_value", "met", "name", "ratio", "target", "unit", "value"]))
      and (.name | type == "string") and (.unit | type == "string")
      and (.value | type == "number" or type == "null") and (.anchor_value | type == "number" or type == "null")
      and (.ratio | type == "number" or type == "null") and (.met | type == "boolean" or type == "null")
      and (.anchor | type == "string" or type == "null") and (.target | type == "string" or type == "null"))
    and any(.[]; .value != null and .value > 0)' "$1" >/dev/null || die "$1 is not well-formed"
}

main_bench "$@"
