#!/usr/bin/env bash
# The main job of `./dev up`: creates the seed's three example VMs plus one small VM pinned to the real host, each with
# a fixed Idempotency-Key (a rerun converges on the same VMs and creates nothing new), prints every status change until
# all are final, checks that the real VM's VNC server greets with "RFB 003.008" on its port and through the console
# (the seed's two lines: console info, then a WebSocket client on its ws_url), and prints a summary.
# Exit status: 0 when every VM runs and the VNC check passed, 1 otherwise.
# Environment: VMPLANE_URL (default http://localhost:8080), VMPLANE_DEV (the dev launcher, for the admin token),
# VMPLANE_JOB_TIMEOUT (seconds, default 180).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
URL="${VMPLANE_URL:-http://localhost:8080}"
API="$URL/api/v1/virtualization/virtualmachines"
DEV_CMD="${VMPLANE_DEV:-$ROOT/dev}"
TIMEOUT="${VMPLANE_JOB_TIMEOUT:-180}"

NAMES=(test-vm gpu-vm db-vm real-vm)
declare -A BODY=(
  [test-vm]='{"name": "test-vm", "memory": 4096, "vcpus": 2,
 "storage": {"default_pool": "default", "boot_iso": "ubuntu.iso", "disks": [{"action": "create", "size": 20}]}}'
  [gpu-vm]='{"name": "gpu-vm", "memory": 8192, "vcpus": 4,
 "storage": {"default_pool": "default", "boot_iso": "ubuntu.iso", "disks": [{"action": "create", "size": 40}]},
 "pci_devices": [{"vendor_id": "10de", "product_id": "1eb8"}], "graphics": {"type": "vnc"}}'
  [db-vm]='{"name": "db-vm", "memory": 4096, "vcpus": 2,
 "storage": {"default_pool": "default", "disks": [{"action": "create", "size": 20},
   {"action": "create", "size": 100, "pool": "fast"}, {"action": "create", "size": 500, "pool": "bulk"}]}}'
  [real-vm]='{"name":"real-vm","memory":256,"vcpus":1,"storage":{"default_pool":"default","boot_iso":"ubuntu.iso","disks":[{"action":"create","size":1}]},"placement":{"host":"qemu-1"}}'
)
declare -A ID=() STATUS=() HOST=() REASON=() MESSAGE=()

# The Idempotency-Key each example uses; a VM lost with its host (HOST_LOST) is replaced under a new key, kept here so
# that later runs converge on the replacement.
KEYS_DIR="${VMPLANE_JOB_STATE:-$ROOT/.dev/main-job}"
mkdir -p "$KEYS_DIR"
declare -A KEY=()
# VM ids derive from project and key, and domains are named by VM id: the real host's libvirtd may be shared with
# another checkout's stack, so real-vm's key carries this stack's id (a domain of another stack is never touched).
STACK="$(tr -d '[:space:]' <"$ROOT/.dev/stack-id" 2>/dev/null || true)"
for name in "${NAMES[@]}"; do
  default="dev-up-$name"
  [ "$name" != real-vm ] || [ -z "$STACK" ] || default="dev-up-$name-$STACK"
  KEY[$name]="$(cat "$KEYS_DIR/$name.key" 2>/dev/null || echo "$default")"
done

TOKEN="$("$DEV_CMD" token --admin | tail -n 1)"
AUTH="Authorization: Bearer $TOKEN"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# create NAME: POST with its Idempotency-Key (dev-up-NAME); retries a 503 (the id converges) for up to 60 s
create() {
  local name="$1" code attempt wait
  for attempt in $(seq 1 20); do
    code="$(curl -sS -o "$TMP/body" -w '%{http_code}' -X POST "$API/create-enhanced" -H "$AUTH" \
      -H 'Content-Type: application/json' -H "Idempotency-Key: ${KEY[$name]}" --data-binary "${BODY[$name]}" \
      -D "$TMP/headers" || echo 000)"
    case "$code" in
      2??) ID[$name]="$(jq -r '.id // empty' "$TMP/body")"
           [ -n "${ID[$name]}" ] && return 0 ;;
      409) if [ "$(jq -r '.code // empty' "$TMP/body")" = VM_DELETED ]; then
             # the example was deleted since (by hand): create it again under a new key, kept for later runs
             printf '%-8s was deleted since: creating the example again\n' "$name"
             KEY[$name]="dev-up-$name-$(date +%s)"
             printf '%s' "${KEY[$name]}" > "$KEYS_DIR/$name.key"
             continue
           fi ;;
      503|000)
           wait="$(sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9]*\).*/\1/p' "$TMP/headers" 2>/dev/null | head -n 1)"
           sleep "${wait:-2}"; continue ;;
    esac
    break
  done
  STATUS[$name]="not-created"
  REASON[$name]="HTTP_$code"
  MESSAGE[$name]="$(jq -c '{code, title, detail, errors}' "$TMP/body" 2>/dev/null || head -c 300 "$TMP/body")"
  printf '%-8s create failed: HTTP %s %s\n' "$name" "$code" "${MESSAGE[$name]}"
  return 1
}

final() { [ "$1" = running ] || [ "$1" = failed ] || [ "$1" = not-created ]; }

# observe NAME: reads the VM once and prints a line when its status changed; succeeds when the status is final
observe() {
  local name="$1" status host line
  [ -n "${ID[$name]:-}" ] || return 0
  final "${STATUS[$name]:-}" && return 0
  curl -sS -f -o "$TMP/vm-$name" -H "$AUTH" "$API/${ID[$name]}" 2>/dev/null || return 1
  status="$(jq -r '.status // "unknown"' "$TMP/vm-$name")"
  host="$(jq -r '.host // empty' "$TMP/vm-$name")"
  if [ "$status" != "${STATUS[$name]:-}" ]; then
    line="$(printf '%-8s %s' "$name" "${STATUS[$name]:+${STATUS[$name]} → }$status")"
    [ -n "$host" ] && line="$line (host $host)"
    if [ "$status" = failed ]; then
      REASON[$name]="$(jq -r '.reason // empty' "$TMP/vm-$name")"
      MESSAGE[$name]="$(jq -r '.message // empty' "$TMP/vm-$name")"
      line="$line ${REASON[$name]} ${MESSAGE[$name]}"
    fi
    printf '%s\n' "$line"
    STATUS[$name]="$status"
  fi
  HOST[$name]="$host"
  final "$status"
}

# replace_if_lost NAME: when the VM the key converged on was lost with its host (a simulated host's domains do not
# survive its agent's restart), delete it and create the example again under a new key
replace_if_lost() {
  local name="$1" reason
  curl -sS -f -o "$TMP/vm-$name" -H "$AUTH" "$API/${ID[$name]}" 2>/dev/null || return 0
  reason="$(jq -r 'select(.status == "failed") | .reason // empty' "$TMP/vm-$name")"
  [ "$reason" = HOST_LOST ] || return 0
  printf '%-8s %s was lost with its host (HOST_LOST): deleting it and creating the example again\n' "$name" "${ID[$name]}"
  curl -sS -o /dev/null -X DELETE -H "$AUTH" "$API/${ID[$name]}?delete_volumes=true" || true
  KEY[$name]="dev-up-$name-$(date +%s)"
  printf '%s' "${KEY[$name]}" > "$KEYS_DIR/$name.key"
  create "$name"
}

ok=true
for name in "${NAMES[@]}"; do
  if create "$name" && replace_if_lost "$name"; then
    printf '%-8s %s (Idempotency-Key %s)\n' "$name" "${ID[$name]}" "${KEY[$name]}"
    observe "$name" || true
  else
    ok=false
  fi
done

# poll every 0.5 s until every VM is final
deadline=$((SECONDS + TIMEOUT))
while :; do
  pending=0
  for name in "${NAMES[@]}"; do
    observe "$name" || pending=$((pending + 1))
  done
  [ "$pending" -eq 0 ] && break
  if [ $SECONDS -ge $deadline ]; then
    for name in "${NAMES[@]}"; do
      final "${STATUS[$name]:-}" || { REASON[$name]="${REASON[$name]:-NOT_FINAL}"; MESSAGE[$name]="not final after ${TIMEOUT} s"; }
    done
    break
  fi
  sleep 0.5
done

# the real VM's console: its VNC port from the admin view's live XML must greet with RFB 003.008
rfb="not checked"
if [ "${STATUS[real-vm]:-}" = running ]; then
  xml="$(jq -r '.domain_xml // empty' "$TMP/vm-real-vm")"
  graphics="$(printf '%s' "$xml" | tr '\n' ' ' | grep -oE "<graphics[^>]*type=['\"]vnc['\"][^>]*>" | head -n 1 || true)"
  port="$(printf '%s' "$graphics" | grep -oE "[[:space:]]port=['\"][0-9]+['\"]" | tr -dc '0-9' || true)"
  listen="$(printf '%s' "$graphics" | grep -oE "listen=['\"][^'\"]+['\"]" | head -n 1 | cut -d"'" -f2 | cut -d'"' -f2 || true)"
  case "$listen" in ""|0.0.0.0|::) listen=127.0.0.1 ;; esac
  if [ -z "$port" ] || [ "$port" -le 0 ]; then
    rfb="FAILED: no VNC port in the admin view's domain_xml"
  else
    greeting="$(timeout 5 bash -c "exec 3<>/dev/tcp/$listen/$port && head -c 12 <&3" 2>/dev/null | tr -d '\n' || true)"
    if [ "$greeting" = "RFB 003.008" ]; then rfb="VNC $listen:$port answers RFB 003.008"; else rfb="FAILED: VNC $listen:$port answered '${greeting}'"; fi
  fi
  printf '%-8s %s\n' real-vm "$rfb"
  # the seed's two console lines: the console info (curl), then a WebSocket client on the ws_url it returns, through
  # the gateway and a console proxy to the VM's VNC server
  console="FAILED: no console info"
  info="$(curl -sS -m 10 -H "$AUTH" "$API/${ID[real-vm]}/console" || true)"
  ws_url="$(jq -r '.ws_url // empty' <<<"$info" 2>/dev/null || true)"
  if [ -n "$ws_url" ]; then
    answer="$(timeout 15 python3 "$ROOT/infra/ws-probe.py" "$ws_url" 2>&1 | head -n 3 | tr '\n' ' ' || true)"
    case "$answer" in
      "RFB 003.008"*) console="console ${ws_url%%\?*} relays RFB 003.008 (one-time token, $(jq -r .protocol <<<"$info"))" ;;
      *) console="FAILED: console WebSocket answered '${answer% }'" ;;
    esac
  else
    console="FAILED: console info answered $(jq -c '{status, code}' <<<"$info" 2>/dev/null || echo "$info" | head -c 200)"
  fi
  printf '%-8s %s\n' real-vm "$console"
fi

printf '\n%-8s  %-40s  %-12s  %-7s  %s\n' NAME ID STATUS HOST REASON
for name in "${NAMES[@]}"; do
  printf '%-8s  %-40s  %-12s  %-7s  %s\n' "$name" "${ID[$name]:--}" "${STATUS[$name]:--}" "${HOST[$name]:--}" \
    "${REASON[$name]:-}${MESSAGE[$name]:+ (${MESSAGE[$name]})}"
  [ "${STATUS[$name]:-}" = running ] || ok=false
done
case "$rfb" in VNC*) ;; *) ok=false; printf 'real-vm VNC: %s\n' "$rfb" ;; esac
case "${console:-not checked}" in console*) ;; *) ok=false; printf 'real-vm console: %s\n' "${console:-not checked}" ;; esac
$ok
