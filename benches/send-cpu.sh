#!/usr/bin/env bash
# CPU seconds of one upload through a throttled line, against curl (issue 18 item 7): the same
# report (docs/example-draft with a large file added) sent by
#   - the window, under Xvfb with software OpenGL (BAOSONG_RENDERER=glow: llvmpipe, as on an old
#     office PC or over Remote Desktop), pressing 一键报送 by itself (BAOSONG_BENCH_SEND) and
#     closing when the server confirmed — it logs the frames it drew meanwhile;
#   - `baosong submit` (the same core, no window);
#   - curl, posting the exported bundle (the very bytes the app sends) as one multipart form;
# all three to the same multipart server (uploadserver, PyPI) through the same throttled line (a
# small proxy here, client → server limited). The app's figures include building the bundle
# (copying and hashing every file); curl's do not.
#
# Usage: benches/send-cpu.sh [MiB] [KiB/s]   (default 200 MiB at 20480 KiB/s: about 10 s a send)
# PROFILE=release (default) or dev: which build of baosong is measured.
set -euo pipefail
cd "$(dirname "$0")/.."
MIB=${1:-200}
RATE=${2:-20480}
PROFILE=${PROFILE:-release}
if [ "$PROFILE" = dev ]; then
    [ -n "${SKIP_BUILD:-}" ] || cargo build --quiet; BIN=target/debug/baosong
else
    [ -n "${SKIP_BUILD:-}" ] || cargo build --quiet --profile "$PROFILE"; BIN=target/$PROFILE/baosong
fi
WORK=$(mktemp -d); [ -n "${KEEP:-}" ] && echo "work folder: $WORK"
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The server, and the line in front of it.
mkdir -p "$WORK/received"
SERVER=$(free_port)
python3 -m uploadserver "$SERVER" --bind 127.0.0.1 --directory "$WORK/received" >/dev/null 2>&1 &
PIDS+=($!)
cat > "$WORK/throttle.py" <<'EOF'
import asyncio, sys, time
listen, upstream, rate = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) * 1024
async def pump(r, w, limit):
    start, sent = time.monotonic(), 0
    try:
        while data := await r.read(65536):
            if limit:
                sent += len(data)
                ahead = sent / rate - (time.monotonic() - start)
                if ahead > 0:
                    await asyncio.sleep(ahead)
            w.write(data)
            await w.drain()
    except Exception:
        pass
    finally:
        w.close()
async def handle(cr, cw):
    sr, sw = await asyncio.open_connection("127.0.0.1", upstream)
    await asyncio.gather(pump(cr, sw, True), pump(sr, cw, False))
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", listen)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()
asyncio.run(main())
EOF
LINE=$(free_port)
python3 "$WORK/throttle.py" "$LINE" "$SERVER" "$RATE" > "$WORK/line.out" &
PIDS+=($!)
for i in $(seq 1 100); do grep -q ready "$WORK/line.out" 2>/dev/null && break; sleep 0.1; done
sleep 0.5
URL="http://127.0.0.1:$LINE/upload"

# The report: the example draft with MiB more in 40 MiB documents (a document is at most 50 MB)
# on its first activity, one copy per sender.
FILES=()
for n in $(seq 1 $(( (MIB + 39) / 40 ))); do
    f="$WORK/活动资料$n.pdf"
    { printf '%%PDF-1.4\n'; head -c "$((40 * 1024 * 1024))" /dev/urandom; } > "$f"
    FILES+=("$f")
done
ID=$(python3 -c 'import json;print(json.load(open("docs/example-draft/draft.json"))["id"])')
for who in window cli export; do
    mkdir -p "$WORK/$who/drafts"
    cp -r docs/example-draft "$WORK/$who/drafts/$ID"
    BAOSONG_DATA_DIR="$WORK/$who" "$BIN" attach "$ID" "${FILES[@]}" --to 1-1 >/dev/null 2>&1
done
BAOSONG_DATA_DIR="$WORK/export" "$BIN" export "$ID" -o "$WORK/bundle.zip" >/dev/null 2>&1
BYTES=$(stat -c %s "$WORK/bundle.zip")

cpu() { # $1 = a file written by /usr/bin/time -f '%U %S %e'
    awk '{ printf "%.2f", $1 + $2 }' "$1"
}

# The window.
mkdir -p "$WORK/exe"; cp "$BIN" "$WORK/exe/"
printf '[intake]\nurl = "%s"\n' "$URL" > "$WORK/exe/baosong.toml"
DISPLAY_NUM=$(( (RANDOM % 20000) + 30000 ))
Xvfb ":$DISPLAY_NUM" -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
PIDS+=($!)
sleep 1
DISPLAY=":$DISPLAY_NUM" BAOSONG_RENDERER=glow LIBGL_ALWAYS_SOFTWARE=1 BAOSONG_LOG=info \
    BAOSONG_DATA_DIR="$WORK/window" BAOSONG_BENCH_SEND="$ID" \
    /usr/bin/time -f '%U %S %e' -o "$WORK/window.time" "$WORK/exe/baosong" >/dev/null 2>"$WORK/window.err"
FRAMES=$(grep -h "bench: frames drawn while sending" "$WORK/window"/logs/* | tail -1)
grep -q "已报送" <<<"$FRAMES" || { echo "the window did not send: $FRAMES"; exit 1; }

# baosong submit.
BAOSONG_DATA_DIR="$WORK/cli" /usr/bin/time -f '%U %S %e' -o "$WORK/cli.time" \
    "$BIN" submit "$ID" --endpoint "$URL" >/dev/null 2>&1

# curl.
/usr/bin/time -f '%U %S %e' -o "$WORK/curl.time" \
    curl -sS -o /dev/null -F "files=@$WORK/bundle.zip" "$URL"

W=$(cpu "$WORK/window.time"); C=$(cpu "$WORK/cli.time"); K=$(cpu "$WORK/curl.time")
echo "one report of $(awk -v b="$BYTES" 'BEGIN{printf "%.0f", b/1048576}') MiB through a line of $RATE KiB/s ($PROFILE build):"
echo "  window (一键报送, software OpenGL): $W s CPU in $(awk '{print $3}' "$WORK/window.time") s"
echo "  baosong submit:                    $C s CPU in $(awk '{print $3}' "$WORK/cli.time") s"
echo "  curl -F:                           $K s CPU in $(awk '{print $3}' "$WORK/curl.time") s"
awk -v w="$W" -v c="$C" -v k="$K" 'BEGIN { printf "  ratio window / curl: %.1f; submit / curl: %.1f\n", w / k, c / k }'
echo "  frames while sending: $(sed -n 's/.*frames=\([0-9]*\).*seconds=\([0-9.]*\).*per_second=\([0-9.]*\).*/\1 in \2 s = \3 per second/p' <<<"$FRAMES")"
