#!/usr/bin/env bash
# Start to the first frame under Wine: the release zip's baosong.exe against eframe_template
# (benches/eframe_template: emilk/eframe_template ported to egui 0.37 with baosong's eframe
# features, window size and renderer), built the same way — the same [profile.release], target
# and flags as scripts/release.sh. Same run, alternating, fresh data folder each time; one
# wineserver kept running (as on a PC, where Windows is already up). The time is from exec to the
# program's own record of its first frame (baosong's log line "first frame drawn", the template's
# FIRST_FRAME_FILE), both after the app's first UI pass, with the files in the page cache (the
# second start of the day; the first is the disk's).
#
# Usage: benches/cold-start.sh [runs] (default 9). Needs what scripts/wine-smoke.sh needs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUNS=${1:-9}
TARGET=x86_64-pc-windows-gnu
source scripts/release-env.sh
[ -f "$ZIP" ] || bash scripts/release.sh

# Built the same way: the same profile section, the same flags, the same target folder.
profile() { sed -n '/^\[profile\.release\]/,/^\[/p' "$1" | grep -v '^\[' | grep -v '^#' | grep -v '^$'; }
diff <(profile Cargo.toml) <(profile benches/eframe_template/Cargo.toml) \
    || { echo "benches/eframe_template's [profile.release] differs from baosong's: copy it"; exit 1; }
cp Cargo.lock benches/eframe_template/Cargo.lock
(cd benches/eframe_template && CARGO_TARGET_DIR="$BUILT" \
    CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUSTFLAGS="$RELEASE_RUSTFLAGS" \
    cargo build --quiet --release --target $TARGET)

WORK="$ROOT/target/cold-start"; rm -rf "$WORK"; mkdir -p "$WORK/baosong" "$WORK/template"
unzip -q -j "$ZIP" "baosong-$VERSION/baosong.exe" -d "$WORK/baosong"
cp "$BUILT/$TARGET/release/eframe_template.exe" "$WORK/template/"
for d in baosong template; do
    x86_64-w64-mingw32-gcc -shared -O2 -o "$WORK/$d/bcryptprimitives.dll" \
        scripts/wine/bcryptprimitives.c scripts/wine/bcryptprimitives.def -ladvapi32
done

WINE=$(command -v wine64 || command -v wine || echo /usr/lib/wine/wine64)
WINESERVER=$(command -v wineserver || echo /usr/lib/wine/wineserver64)
export WINEPREFIX="$WORK/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" LANG=C.UTF-8
"$WINE" wineboot --init >/dev/null 2>&1 || true
"$WINESERVER" -w 2>/dev/null || true
DISPLAY_NUM=$(( (RANDOM % 20000) + 30000 ))
Xvfb ":$DISPLAY_NUM" -screen 0 1280x860x24 -nolisten tcp >/dev/null 2>&1 &
XVFB=$!
"$WINESERVER" -p 2>/dev/null || true
trap 'kill $XVFB 2>/dev/null || true; "$WINESERVER" -k 2>/dev/null || true' EXIT
sleep 2
winpath() { printf 'Z:%s' "$(echo "$1" | sed 's|/|\\|g')"; }

measure() { # $1 = baosong | template; prints ms from exec to the first frame
    local n=$RANDOM$RANDOM t0 t1
    if [ "$1" = baosong ]; then
        local data="$WORK/data-$n"; mkdir -p "$data"
        t0=$(date +%s%N)
        DISPLAY=":$DISPLAY_NUM" WGPU_BACKEND=vulkan BAOSONG_LOG=info BAOSONG_SMOKE_EXIT_AFTER_MS=1500 \
            BAOSONG_DATA_DIR="$(winpath "$data")" "$WINE" "$WORK/baosong/baosong.exe" >/dev/null 2>&1 || true
        local ts; ts=$(grep -h "first frame drawn" "$data"/logs/* | head -1 | cut -d' ' -f1)
        t1=$(date -d "$ts" +%s%N)
    else
        local f="$WORK/first-$n"
        t0=$(date +%s%N)
        DISPLAY=":$DISPLAY_NUM" WGPU_BACKEND=vulkan FIRST_FRAME_FILE="$(winpath "$f")" \
            "$WINE" "$WORK/template/eframe_template.exe" >/dev/null 2>&1 || true
        t1=$(cat "$f")
    fi
    echo $(( (t1 - t0) / 1000000 ))
}
measure baosong >/dev/null; measure template >/dev/null   # the page cache, Wine's first DLL loads
b=(); t=()
for i in $(seq 1 "$RUNS"); do
    b+=("$(measure baosong)"); t+=("$(measure template)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mb=$(median "${b[@]}"); mt=$(median "${t[@]}")
echo "exe sizes: baosong.exe $(stat -c %s "$WORK/baosong/baosong.exe") bytes, eframe_template.exe $(stat -c %s "$WORK/template/eframe_template.exe") bytes"
echo "first frame under Wine, ms (runs: $RUNS): baosong ${b[*]} → median $mb; eframe_template ${t[*]} → median $mt"
awk -v a="$mb" -v b="$mt" 'BEGIN { printf "ratio (baosong / eframe_template): %.2f\n", a / b }'
