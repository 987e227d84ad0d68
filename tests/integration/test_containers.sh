#!/usr/bin/env bash
# test_containers.sh: builds the konsil-sfu, konsil-signaling and coturn images
# (docker/Dockerfile.*) and starts docker/compose.yml with docker-compose against podman's
# API socket (or a dockerd that already answers). Then proves, through the containers: an
# aiortc WHIP publisher and WHEP subscriber (tests/lib/aiortc_peer.py) get video and audio
# through the SFU container, /healthz, /readyz and /metrics (SFU counters) answer, tokens come
# from `konsil-signaling-entrypoint token` in the container, processes run as uid 10001,
# the state volume keeps the certificate across a restart, coturn answers STUN and asks
# for credentials on TURN Allocate. Removes its containers, volume and network at the end
# (images stay as build cache) and stops the podman service it started.
# SKIP (exit 0) only when no container engine is installed or none can run a container.
# Env: KONSIL_HEAVY_LOCK=FILE serialises the image build with flock on FILE.
set -euo pipefail
top=${KONSIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
compose_file=$top/docker/compose.yml
t_start=$(date +%s)
say() { echo "[containers +$(($(date +%s) - t_start))s] $*"; }
skip() { echo "SKIP: $*"; exit 0; }
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; exit 1; }
check() { # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}

command -v docker-compose >/dev/null || skip "docker-compose is not installed (apt-get install docker-compose podman runc catatonit debootstrap)"
work=$(mktemp -d /tmp/konsil-containers.XXXXXX)
project=konsilct$$
service_pid=
compose_up=0

cleanup() {
    set +e
    if [ "$compose_up" = 1 ]; then
        docker-compose -p "$project" -f "$compose_file" logs --no-color >"$work/compose.log" 2>&1
        docker-compose -p "$project" -f "$compose_file" down -v --remove-orphans -t 10 >/dev/null 2>&1
        # A container caught restarting (restart: unless-stopped) can survive `down` on podman.
        for c in $("$engine" ps -a -q --filter "label=com.docker.compose.project=$project"); do
            "$engine" rm -f "$c" >/dev/null 2>&1
        done
        "$engine" volume rm -f "${project}_state" >/dev/null 2>&1
    fi
    if [ -n "$service_pid" ] && kill -0 "$service_pid" 2>/dev/null; then
        kill -TERM "$service_pid"
        wait "$service_pid" 2>/dev/null
    fi
    if [ -n "${KONSIL_KEEP_STATE:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- engine: a dockerd that answers, else podman's Docker-compatible API service --------
engine=
if [ -z "${DOCKER_HOST:-}" ] && [ -S /var/run/docker.sock ] && /usr/bin/docker info >/dev/null 2>&1; then
    engine=docker
elif command -v podman >/dev/null; then
    engine=podman
    # Settings this kind of host needs (shared/notes/containers.md): runc, cgroupfs, and
    # ulimits the container may set without CAP_SYS_RESOURCE.
    hard=$(ulimit -Hn)
    [ "$hard" = unlimited ] && hard=1048576
    cat >"$work/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$hard:$hard", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
CONF
    export CONTAINERS_CONF=$work/containers.conf
    command -v runc >/dev/null || skip "podman needs runc on this host (apt-get install runc)"
    # docker/compose.yml gives every service init: true; podman runs its catatonit for that.
    [ -x /usr/libexec/podman/catatonit ] || command -v catatonit >/dev/null ||
        fail "podman needs catatonit for the services' init: true (apt-get install catatonit)"
else
    skip "no container engine: neither a running dockerd nor podman (apt-get install podman runc catatonit docker-compose debootstrap)"
fi
say "engine: $engine"

heavy() { if [ -n "${KONSIL_HEAVY_LOCK:-}" ]; then flock "$KONSIL_HEAVY_LOCK" "$@"; else "$@"; fi; }

heavy bash "$top/docker/make-base-image.sh" "$engine" || fail "base image debian:bookworm-slim"
probe_err=$("$engine" run --rm --network host docker.io/library/debian:bookworm-slim true 2>&1) ||
    skip "$engine is installed but cannot run a container here: $(echo "$probe_err" | tail -3)"

if [ "$engine" = podman ]; then
    podman system service --time=0 "unix://$work/podman.sock" >"$work/podman-service.log" 2>&1 &
    service_pid=$!
    export DOCKER_HOST=unix://$work/podman.sock
    for _ in $(seq 100); do [ -S "$work/podman.sock" ] && break; sleep 0.1; done
    [ -S "$work/podman.sock" ] || fail "podman API socket did not appear: $(tail -5 "$work/podman-service.log")"
fi

# ---- configuration: free ports, secrets, empty TLS dir (self-signed certificate) ---------
read -r http_port media_port ctl_port turn_port turn_tls_port < <(/usr/bin/python3 - <<'PY'
import socket
def free(both):
    while True:
        t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
        if not both: t.close(); return p
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try: u.bind(("127.0.0.1", p)); return p
        except OSError: pass
        finally: t.close(); u.close()
print(free(False), free(True), free(False), free(True), free(False))
PY
)
mkdir -p "$work/secrets" "$work/tls"
for s in sfu_secret token_secret turn_secret; do
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/secrets/$s"
done
chmod 0644 "$work"/secrets/*   # read inside the containers by uid 10001 and turnserver
turn_base=$((40000 + RANDOM % 20000))
export KONSIL_ANNOUNCE_IP=127.0.0.1 KONSIL_LISTEN=127.0.0.1:$http_port KONSIL_MEDIA_PORT=$media_port
export KONSIL_SFU_CONTROL_PORT=$ctl_port KONSIL_TURN_PORT=$turn_port KONSIL_TURN_TLS_PORT=$turn_tls_port
export KONSIL_TURN_MIN_PORT=$turn_base KONSIL_TURN_MAX_PORT=$((turn_base + 20))
export KONSIL_SECRETS_DIR=$work/secrets KONSIL_TLS_DIR=$work/tls KONSIL_IMAGE_TAG=ci
dc() { docker-compose -p "$project" -f "$compose_file" "$@"; }

# ---- build and start ------------------------------------------------------------------------
t0=$(date +%s)
heavy docker-compose -p "$project" -f "$compose_file" build >"$work/build.log" 2>&1 ||
    { tail -40 "$work/build.log"; fail "docker-compose build"; }
t_build=$(($(date +%s) - t0))
say "images built in ${t_build}s"
for i in sfu signaling coturn; do
    size=$("$engine" image inspect --format '{{.Size}}' "konsil-$i:ci" 2>/dev/null || echo 0)
    say "image konsil-$i:ci $((size / 1000000)) MB"
done
compose_up=1
t0=$(date +%s)
dc up -d >"$work/up.log" 2>&1 || { cat "$work/up.log"; dc logs --no-color | tail -40; fail "docker-compose up"; }

base=https://127.0.0.1:$http_port
code=000
for _ in $(seq 150); do
    code=$(curl -ks -o /dev/null -w '%{http_code}' "$base/readyz" || true)
    [ "$code" = 200 ] && break
    sleep 0.2
done
[ "$code" = 200 ] || { dc logs --no-color | tail -40; fail "/readyz answers 200 through the stack (got $code)"; }
ok "/readyz 200 after $(($(date +%s) - t0))s (signaling container connected to the SFU container)"
check "/healthz answers 200" [ "$(curl -ks -o /dev/null -w '%{http_code}' "$base/healthz" || true)" = 200 ]

check "konsil-sfu runs as uid 10001" [ "$(dc exec -T sfu id -u | tr -d '\r')" = 10001 ]
check "konsil-signaling runs as uid 10001" [ "$(dc exec -T signaling id -u | tr -d '\r')" = 10001 ]
check "the signaling image has no konsil-sfu (media goes through the sfu container)" \
    dc exec -T signaling sh -c '! test -e /usr/bin/konsil-sfu'

# ---- media: aiortc WHIP publisher -> SFU container -> aiortc WHEP subscriber ------------------
token() { dc exec -T signaling konsil-signaling-entrypoint token --room "$1" --role "$2" --ttl 300 | tr -d '\r\n'; }
pub_token=$(token ct publish)
sub_token=$(token ct subscribe)
[ -n "$pub_token" ] && [ -n "$sub_token" ] || fail "tokens from konsil-signaling-entrypoint token"
peer=$top/tests/lib/aiortc_peer.py
/usr/bin/python3 "$peer" whip "$base/whip/ct" --token "$pub_token" --seconds 25 >"$work/pub.jsonl" 2>"$work/pub.err" &
pub_pid=$!
for _ in $(seq 150); do grep -q '"answer_ok"\|"error"' "$work/pub.jsonl" 2>/dev/null && break; sleep 0.1; done
grep -q '"answer_ok"' "$work/pub.jsonl" || { cat "$work/pub.jsonl"; tail -5 "$work/pub.err"; fail "WHIP publish answered"; }
ok "WHIP publish answered 201"
sub_s=8
/usr/bin/python3 "$peer" whep "$base/whep/ct" --token "$sub_token" --seconds "$sub_s" >"$work/sub.jsonl" 2>"$work/sub.err" ||
    { cat "$work/sub.jsonl"; tail -5 "$work/sub.err"; kill "$pub_pid"; fail "WHEP subscriber ran"; }
kill "$pub_pid" 2>/dev/null; wait "$pub_pid" 2>/dev/null || true
read -r vframes aframes conn size < <(/usr/bin/python3 -c '
import json, sys
f = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
fin = [s for s in f if s.get("final")][-1]
print(fin["video_frames"], fin["audio_frames"], fin["conn"], fin.get("size", "-"))' "$work/sub.jsonl")
echo "     WHEP subscriber over ${sub_s}s: $vframes video frames ($size), $aframes audio frames, connection $conn"
check "subscriber decoded >= $((sub_s * 10)) video frames through the containers ($vframes)" [ "$vframes" -ge $((sub_s * 10)) ]
check "subscriber decoded >= $((sub_s * 25)) audio frames through the containers ($aframes)" [ "$aframes" -ge $((sub_s * 25)) ]
# /metrics from the host (loopback client, no KONSIL_METRICS_TOKEN): the SFU container's counters.
metrics=$(curl -ks "$base/metrics" || true)
fwd=$(printf '%s\n' "$metrics" | awk '/^konsil_sfu_forwarded_packets_total\{sfu="0"\}/ {print $2}')
up=$(printf '%s\n' "$metrics" | grep -c '^konsil_sfu_up{sfu="0"} 1$' || true)
check "/metrics: konsil_sfu_up{sfu=\"0\"} 1 ($up) and forwarded packets counted (${fwd:-none})" \
    [ "$up" = 1 -a "${fwd:-0}" -gt 0 ]

# ---- coturn: STUN binding answered, TURN Allocate without credentials -> 401 ----------------
turn=$(/usr/bin/python3 - "$turn_port" <<'PY'
import os, socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)
def ask(mtype, attrs=b""):
    tid = os.urandom(12)
    for _ in range(5):
        s.sendto(struct.pack("!HHI", mtype, len(attrs), 0x2112A442) + tid + attrs, ("127.0.0.1", int(sys.argv[1])))
        try: d = s.recv(2048)
        except socket.timeout: continue
        if d[8:20] == tid: return d
    return b""
b = ask(0x0001)
a = ask(0x0003, struct.pack("!HHI", 0x0019, 4, 17 << 24))  # REQUESTED-TRANSPORT UDP
code, i = None, 20
while i + 4 <= len(a):
    t, n = struct.unpack("!HH", a[i:i + 4])
    if t == 0x0009: code = a[i + 6] * 100 + a[i + 7]
    i += 4 + n + (-n % 4)
print(f"{struct.unpack('!H', b[:2])[0] if b else 0:#06x} {code}")
PY
)
check "coturn answers a STUN binding request (type ${turn% *})" [ "${turn% *}" = 0x0101 ]
check "coturn wants credentials for TURN Allocate (error ${turn#* })" [ "${turn#* }" = 401 ]

# ---- state volume survives a restart; SIGTERM stops signaling ----------------------------------
cert1=$(dc exec -T signaling sha256sum /var/lib/konsil/tls-cert.pem | cut -d' ' -f1)
t0=$(date +%s)
dc restart -t 20 signaling >/dev/null 2>&1 || fail "restart signaling"
say "signaling restarted in $(($(date +%s) - t0))s"
for _ in $(seq 150); do
    [ "$(curl -ks -o /dev/null -w '%{http_code}' "$base/readyz" || true)" = 200 ] && break
    sleep 0.2
done
cert2=$(dc exec -T signaling sha256sum /var/lib/konsil/tls-cert.pem | cut -d' ' -f1)
check "self-signed certificate kept on the state volume across a restart" [ -n "$cert1" ] && [ "$cert1" = "$cert2" ]

# SIGTERM (through the compose init) stops both Konsil processes cleanly and quickly.
t0=$(date +%s)
dc stop -t 20 >/dev/null 2>&1 || fail "docker-compose stop"
t_stop=$(($(date +%s) - t0))
for svc in sfu signaling; do
    rc=$("$engine" inspect --format '{{.State.ExitCode}}' "$(dc ps -q "$svc")")
    check "$svc exits 0 on SIGTERM (exit $rc)" [ "$rc" = 0 ]
done
check "the stack stops within 10 s of SIGTERM (${t_stop}s)" [ "$t_stop" -le 10 ]
t0=$(date +%s)
dc down -v --remove-orphans -t 20 >"$work/down.log" 2>&1 || { cat "$work/down.log"; fail "docker-compose down"; }
compose_up=0
say "compose down in $(($(date +%s) - t0))s"
left=$("$engine" ps -a --filter "label=com.docker.compose.project=$project" -q | wc -l)
check "no containers of the project left ($left)" [ "$left" = 0 ]
say "PASS test_containers (build ${t_build}s, total $(($(date +%s) - t_start))s)"
