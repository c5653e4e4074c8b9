#!/usr/bin/env bash
# The window's start to its first frame under Xvfb, offline, with and without the background look
# at published campaigns (baosong.toml with campaign_key and an intake that never answers: a
# loopback socket that listens and never accepts, so the TLS handshake hangs until its time-out).
# Same binary, same run, alternating;
# prints each median and the ratio. Usage: benches/first-frame.sh [runs] (default 7).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-7}
cargo build --quiet
WORK=$(mktemp -d); trap 'rm -rf "$WORK"; kill $XVFB $SILENT 2>/dev/null || true' EXIT
XVFB=; SILENT=
for v in plain look; do mkdir -p "$WORK/$v"; cp target/debug/baosong "$WORK/$v/"; done
KEY=$(BAOSONG_DATA_DIR="$WORK/keydata" target/debug/baosong campaign key | sed -n 's/^签名公钥.*：\([0-9a-f]\{64\}\)$/\1/p')
python3 -c "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(100); print(s.getsockname()[1], flush=True); time.sleep(3600)" > "$WORK/port" &
SILENT=$!
for i in $(seq 1 50); do [ -s "$WORK/port" ] && break; sleep 0.1; done
printf 'campaign_key = "%s"\n[intake]\nurl = "https://127.0.0.1:%s/files/"\n' "$KEY" "$(cat "$WORK/port")" > "$WORK/look/baosong.toml"
DISPLAY_NUM=$(( (RANDOM % 20000) + 30000 ))
Xvfb ":$DISPLAY_NUM" -screen 0 1280x860x24 -nolisten tcp >/dev/null 2>&1 &
XVFB=$!
sleep 1
measure() { # $1 = variant; prints ms from exec to the first frame
    local data="$WORK/data-$1-$RANDOM"; mkdir -p "$data"
    local t0; t0=$(date +%s%N)
    DISPLAY=":$DISPLAY_NUM" BAOSONG_LOG=info BAOSONG_DATA_DIR="$data" BAOSONG_SMOKE_EXIT_AFTER_MS=1500 \
        "$WORK/$1/baosong" >/dev/null 2>&1 || true
    local line; line=$(grep -h "first frame drawn" "$data"/logs/* | head -1)
    local ts; ts=$(echo "$line" | cut -d' ' -f1)
    local t1; t1=$(date -d "$ts" +%s%N)
    echo $(( (t1 - t0) / 1000000 ))
}
plain=(); look=()
for i in $(seq 1 "$RUNS"); do
    plain+=("$(measure plain)"); look+=("$(measure look)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mp=$(median "${plain[@]}"); ml=$(median "${look[@]}")
echo "first frame, ms (runs: $RUNS): without the look ${plain[*]} → median $mp; with it ${look[*]} → median $ml"
awk -v a="$ml" -v b="$mp" 'BEGIN { printf "ratio (with / without): %.2f\n", a / b }'
