#!/usr/bin/env bash
# Smoke test of the Windows build under Wine (run by .ci/run; not part of scripts/test.sh, so the
# README's test command runs without Wine). What ships is what is tested: it
#   1. takes baosong.exe out of the release zip (dist/, made by scripts/release.sh — the optimised
#      `release` profile; made here first when missing) into a folder with Chinese characters in
#      its path, as IT would, and checks the exe names this commit;
#   2. runs the CLI under Wine from there, and checks it gives the same answers as on Linux
#      (validate, inspect, export — the same bundle byte for byte —, status), that submit reaches
#      the real tus server on loopback, and that %LOCALAPPDATA% is the default data folder;
#   3. starts the window under Xvfb + Wine with a fresh BAOSONG_DATA_DIR, takes a screenshot
#      (kept as target/wine-smoke/start-screen.png), checks it is more than a blank window, and
#      checks the exe closes cleanly and logged its first frame.
# Needs: rustup target x86_64-pc-windows-gnu, gcc-mingw-w64-x86-64, wine64, xvfb, imagemagick,
# unzip.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT="$ROOT/target/wine-smoke"
APPDIR="$OUT/报送 程序"
rm -rf "$OUT"; mkdir -p "$OUT"

source scripts/release-env.sh
[ -f "$ZIP" ] || bash scripts/release.sh
echo "== baosong.exe from $ZIP"
unzip -q "$ZIP" -d "$OUT/unzipped"
mv "$OUT/unzipped/baosong-$VERSION" "$APPDIR"
EXE_BUILT="$APPDIR/baosong.exe"
x86_64-w64-mingw32-gcc -shared -O2 -o "$APPDIR/bcryptprimitives.dll" \
    scripts/wine/bcryptprimitives.c scripts/wine/bcryptprimitives.def -ladvapi32
cargo build --locked --quiet   # the Linux binary, for comparing answers

# Debian's wine64 package puts its programs under /usr/lib/wine (the `wine` package adds PATH links).
WINE=$(command -v wine64 || command -v wine || echo /usr/lib/wine/wine64)
WINESERVER=$(command -v wineserver || echo /usr/lib/wine/wineserver64)
export WINEPREFIX="$OUT/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" LANG=C.UTF-8
"$WINE" wineboot --init >/dev/null 2>&1 || true
"$WINESERVER" -w 2>/dev/null || true

winpath() { printf 'Z:%s' "$(echo "$1" | sed 's|/|\\|g')"; }
fail() { echo "FAIL: $*"; exit 1; }

echo "== CLI under Wine"
DATA="$OUT/数据 文件夹"; mkdir -p "$DATA"
EXE="$APPDIR/baosong.exe"
"$WINE" "$EXE" --version | tr -d '\r' > "$OUT/version.txt"
[ "$(cat "$OUT/version.txt")" = "baosong $VERSION ($COMMIT)" ] \
    || fail "--version says '$(cat "$OUT/version.txt")', not 'baosong $VERSION ($COMMIT)': an old zip in dist/? run scripts/release.sh"
if [ -z "$DIRTY" ]; then   # the Linux build names the commit without the mark
    ./target/debug/baosong --version | diff - "$OUT/version.txt" || fail "--version differs from Linux's"
fi

lin_rc=0; ./target/debug/baosong validate docs/example-draft > "$OUT/validate-linux.txt" || lin_rc=$?
win_rc=0; BAOSONG_DATA_DIR="$(winpath "$DATA")" "$WINE" "$EXE" validate "$(winpath "$ROOT/docs/example-draft")" \
    > "$OUT/validate-wine.txt" 2>"$OUT/validate-wine.err" || win_rc=$?
tr -d '\r' < "$OUT/validate-wine.txt" > "$OUT/validate-wine.unix.txt"
[ "$lin_rc" = 0 ] && [ "$win_rc" = 0 ] || fail "validate exit codes: linux $lin_rc, wine $win_rc"
diff "$OUT/validate-linux.txt" "$OUT/validate-wine.unix.txt" || fail "validate output differs"

# A draft with problems, made by the Linux binary's core in a folder with Chinese characters.
cp -r docs/example-draft "$DATA/草稿 样例"
python3 - "$DATA/草稿 样例/draft.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p, encoding="utf-8"))
d["unit"]["phone"] = "6712"; d["answers"]["p1-1"]["activities"][0]["title"] = ""
json.dump(d, open(p, "w", encoding="utf-8"), ensure_ascii=False)
PY
lin_rc=0; ./target/debug/baosong validate "$DATA/草稿 样例" > "$OUT/problems-linux.txt" || lin_rc=$?
win_rc=0; "$WINE" "$EXE" validate "$(winpath "$DATA/草稿 样例")" > "$OUT/problems-wine.txt" || win_rc=$?
tr -d '\r' < "$OUT/problems-wine.txt" > "$OUT/problems-wine.unix.txt"
[ "$lin_rc" = 1 ] && [ "$win_rc" = 1 ] || fail "problem draft exit codes: linux $lin_rc, wine $win_rc"
diff "$OUT/problems-linux.txt" "$OUT/problems-wine.unix.txt" || fail "problem output differs"

# inspect: the same JSON and the same thumbnail or poster frame as on Linux, from a Chinese path;
# a program renamed as a photo refused the same way.
MEDIA="$DATA/材料 文件夹"; mkdir -p "$MEDIA"
cp docs/example-draft/files/f1.jpg "$MEDIA/宣讲现场.jpg"
cp docs/example-draft/files/f2.mp4 "$MEDIA/宣讲片段.mp4"
cp "$EXE_BUILT" "$MEDIA/证件照.jpg"
for f in 宣讲现场.jpg 宣讲片段.mp4; do
    ./target/debug/baosong inspect "$MEDIA/$f" --thumbnail "$OUT/$f.linux.png" > "$OUT/$f.linux.json" \
        || fail "inspect $f on Linux"
    "$WINE" "$EXE" inspect "$(winpath "$MEDIA/$f")" --thumbnail "$(winpath "$OUT/$f.wine.png")" \
        > "$OUT/$f.wine.json" 2>"$OUT/$f.wine.err" || { cat "$OUT/$f.wine.err"; fail "inspect $f under Wine"; }
    tr -d '\r' < "$OUT/$f.wine.json" > "$OUT/$f.wine.unix.json"
    diff "$OUT/$f.linux.json" "$OUT/$f.wine.unix.json" || fail "inspect $f output differs"
    cmp "$OUT/$f.linux.png" "$OUT/$f.wine.png" || fail "inspect $f thumbnail differs"
done
lin_rc=0; ./target/debug/baosong inspect "$MEDIA/证件照.jpg" 2> "$OUT/exe-linux.err" || lin_rc=$?
win_rc=0; "$WINE" "$EXE" inspect "$(winpath "$MEDIA/证件照.jpg")" 2> "$OUT/exe-wine.err" || win_rc=$?
[ "$lin_rc" = 1 ] && [ "$win_rc" = 1 ] || fail "renamed program: linux $lin_rc, wine $win_rc"
tr -d '\r' < "$OUT/exe-wine.err" | diff "$OUT/exe-linux.err" - || fail "renamed program message differs"

# attach: a phone video with its location and a program renamed as a photo, into a draft folder
# with a Chinese path: the same lines printed (the video attached, its location removed; the
# program refused, exit 1) and the same bytes stored as on Linux.
ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc=size=160x120:rate=10 -t 1 -c:v libx264 \
    -pix_fmt yuv420p -metadata location="+29.5630+106.5516/" "$MEDIA/宣讲 手机视频.mov" || fail "ffmpeg"
rm -rf "$OUT/attach-linux" "$DATA/添加 样例"
cp -r docs/example-draft "$OUT/attach-linux"; cp -r docs/example-draft "$DATA/添加 样例"
lin_rc=0; BAOSONG_DATA_DIR="$OUT/linux-attach-data" ./target/debug/baosong attach "$OUT/attach-linux" \
    "$MEDIA/宣讲 手机视频.mov" "$MEDIA/证件照.jpg" --to 1-1 > "$OUT/attach-linux.txt" 2>/dev/null || lin_rc=$?
win_rc=0; BAOSONG_DATA_DIR="$(winpath "$DATA")" "$WINE" "$EXE" attach "$(winpath "$DATA/添加 样例")" \
    "$(winpath "$MEDIA/宣讲 手机视频.mov")" "$(winpath "$MEDIA/证件照.jpg")" --to 1-1 \
    > "$OUT/attach-wine.txt" 2>"$OUT/attach-wine.err" || win_rc=$?
[ "$lin_rc" = 1 ] && [ "$win_rc" = 1 ] || { cat "$OUT/attach-wine.err"; fail "attach exit codes: linux $lin_rc, wine $win_rc"; }
tr -d '\r' < "$OUT/attach-wine.txt" | diff "$OUT/attach-linux.txt" - || fail "attach output differs"
grep -q "已移除位置信息" "$OUT/attach-linux.txt" || fail "attach did not remove the video's location"
cmp "$OUT/attach-linux/files/f4.mov" "$DATA/添加 样例/files/f4.mov" || fail "attach stored other bytes under Wine"
echo "attach under Wine: same lines as Linux, the video's location removed, the program refused"

# export: the same bundle, byte for byte, as on Linux (same draft → same bytes, on any PC), into
# a Chinese path; status the same; submit from the Windows build to the real tus server on
# loopback, which stores exactly the exported bytes.
cp -r docs/example-draft "$DATA/报送 样例"
LIN_DATA="$OUT/linux-data"; mkdir -p "$LIN_DATA"
BAOSONG_DATA_DIR="$LIN_DATA" ./target/debug/baosong export docs/example-draft -o "$OUT/材料包 linux.zip" \
    > /dev/null 2>&1 || fail "export on Linux"
BAOSONG_DATA_DIR="$(winpath "$DATA")" "$WINE" "$EXE" export "$(winpath "$DATA/报送 样例")" \
    -o "$(winpath "$OUT/导出 文件夹/材料包 wine.zip")" > "$OUT/export-wine.txt" 2>"$OUT/export-wine.err" \
    || { cat "$OUT/export-wine.err"; fail "export under Wine"; }
cmp "$OUT/材料包 linux.zip" "$OUT/导出 文件夹/材料包 wine.zip" || fail "the exported bundle differs from Linux's"
BUNDLE_SHA=$(sha256sum "$OUT/材料包 linux.zip" | cut -d' ' -f1)
grep -q "$BUNDLE_SHA" "$OUT/export-wine.txt" || fail "export under Wine printed another sha256"
./target/debug/baosong status docs/example-draft > "$OUT/status-linux.txt"
"$WINE" "$EXE" status "$(winpath "$DATA/报送 样例")" | tr -d '\r' > "$OUT/status-wine.txt"
diff "$OUT/status-linux.txt" "$OUT/status-wine.txt" || fail "status output differs"
if [ -d deploy/intake/node_modules/@tus/server ]; then
    TUS_DIR="$OUT/tus-store"; mkdir -p "$TUS_DIR"
    TZ=Asia/Shanghai node deploy/intake/server.mjs 0 "$TUS_DIR" > "$OUT/tus.out" &
    TUS=$!
    for i in $(seq 1 50); do grep -q listening "$OUT/tus.out" && break; sleep 0.1; done
    TUS_PORT=$(sed -n 's/^listening //p' "$OUT/tus.out")
    win_rc=0; BAOSONG_DATA_DIR="$(winpath "$DATA")" "$WINE" "$EXE" submit "$(winpath "$DATA/报送 样例")" \
        --endpoint "http://127.0.0.1:$TUS_PORT/files/" > "$OUT/submit-wine.txt" 2>"$OUT/submit-wine.err" || win_rc=$?
    kill $TUS 2>/dev/null || true
    [ "$win_rc" = 0 ] || { cat "$OUT/submit-wine.err"; fail "submit under Wine exited $win_rc"; }
    tr -d '\r' < "$OUT/submit-wine.txt" | grep -q "$BUNDLE_SHA" || fail "the receipt under Wine lacks the bundle's sha256"
    STORED=$(find "$TUS_DIR" -type f -name '*.zip' | head -1)
    [ -n "$STORED" ] && [ "$(sha256sum "$STORED" | cut -d' ' -f1)" = "$BUNDLE_SHA" ] \
        || fail "the tus server did not store the exported bytes"
    "$WINE" "$EXE" status "$(winpath "$DATA/报送 样例")" | tr -d '\r' | grep -q "已报送" || fail "status after submit"
    echo "submit under Wine: the tus server stored the bundle ($BUNDLE_SHA)"

    # The token: an old settings.json with it in clear is emptied of it on the first start and
    # the token moved into Wine's credential store (CredWriteW, kept in the prefix's registry);
    # the intake asks for it, so a second probe succeeds only if it was read back from there.
    TOKEN_DATA="$OUT/令牌 数据"; rm -rf "$TOKEN_DATA"; mkdir -p "$TOKEN_DATA"
    printf 'wine-tok-5a7e91 *\n' > "$OUT/tokens.txt"
    INTAKE_TOKENS="$OUT/tokens.txt" TZ=Asia/Shanghai node deploy/intake/server.mjs 0 "$OUT/tus-token-store" \
        > "$OUT/tus-token.out" &
    TUS=$!
    for i in $(seq 1 50); do grep -q listening "$OUT/tus-token.out" && break; sleep 0.1; done
    TUS_PORT=$(sed -n 's/^listening //p' "$OUT/tus-token.out")
    printf '{"schema":1,"intake":{"url":"http://127.0.0.1:%s/files/","token":"wine-tok-5a7e91"}}' "$TUS_PORT" \
        > "$TOKEN_DATA/settings.json"
    for run in first second; do
        win_rc=0; BAOSONG_DATA_DIR="$(winpath "$TOKEN_DATA")" "$WINE" "$EXE" probe > "$OUT/probe-$run.txt" \
            2>"$OUT/probe-$run.err" || win_rc=$?
        [ "$win_rc" = 0 ] || { kill $TUS; cat "$OUT/probe-$run.err"; fail "probe ($run run) under Wine exited $win_rc"; }
    done
    kill $TUS 2>/dev/null || true
    if grep -rq "wine-tok-5a7e91" "$TOKEN_DATA"; then fail "the token is still in a file of the data folder"; fi
    "$WINESERVER" -w 2>/dev/null || true   # the registry is written out when wineserver ends
    grep -q 'Credential Manager.*intake-token-' "$WINEPREFIX/user.reg" || fail "nothing in Wine's credential store"
    echo "token under Wine: moved out of settings.json into the credential store, read back on the next start"
else
    echo "SKIP submit under Wine: npm ci in deploy/intake first"
fi

# The default data folder is %LOCALAPPDATA%.
env -u BAOSONG_DATA_DIR "$WINE" "$EXE" drafts > "$OUT/drafts-default.txt"
grep -q 'AppData\\Local\\cqwomen\\baosong\\data' "$OUT/drafts-default.txt" || { cat "$OUT/drafts-default.txt"; fail "default data folder"; }
BAOSONG_DATA_DIR="$(winpath "$DATA")" "$WINE" "$EXE" drafts > "$OUT/drafts.txt"
grep -q "没有草稿" "$OUT/drafts.txt" || fail "drafts in a Chinese path"

# The receiving desk on a folder with a Chinese name: the same table and check as on Linux, an
# Excel file, and the bundle imported as a draft.
INBOX="$OUT/收件 文件夹"; rm -rf "$INBOX"; mkdir -p "$INBOX"
cp "$OUT/材料包 linux.zip" "$INBOX/材料包 渝中区.zip"
touch -d "2024-03-10 09:05:00 +0800" "$INBOX/材料包 渝中区.zip"
./target/debug/baosong desk "$INBOX" --verify > "$OUT/desk-linux.txt" || fail "desk on Linux"
"$WINE" "$EXE" desk "$(winpath "$INBOX")" --verify | tr -d '\r' > "$OUT/desk-wine.txt" || fail "desk under Wine"
diff "$OUT/desk-linux.txt" "$OUT/desk-wine.txt" || fail "desk output differs"
"$WINE" "$EXE" desk "$(winpath "$INBOX")" --xlsx "$(winpath "$OUT/汇总 表.xlsx")" > /dev/null || fail "desk --xlsx under Wine"
grep -q "已报 1，未报 40，逾期 0" "$OUT/desk-wine.txt" || fail "desk under Wine: the tally"
[ "$(head -c 2 "$OUT/汇总 表.xlsx")" = "PK" ] || fail "desk under Wine: no Excel file"
IMPORT_DATA="$OUT/导入 数据"; rm -rf "$IMPORT_DATA"; mkdir -p "$IMPORT_DATA"
BAOSONG_DATA_DIR="$(winpath "$IMPORT_DATA")" "$WINE" "$EXE" import "$(winpath "$INBOX/材料包 渝中区.zip")" \
    | tr -d '\r' > "$OUT/import-wine.txt" || fail "import under Wine"
grep -q "已导入为草稿" "$OUT/import-wine.txt" || fail "import under Wine: $(cat "$OUT/import-wine.txt")"
BAOSONG_DATA_DIR="$(winpath "$IMPORT_DATA")" "$WINE" "$EXE" drafts | tr -d '\r' | grep -q "从材料包导入" \
    || fail "the imported draft is not listed under Wine"
echo "desk and import under Wine: same table as Linux, Excel written, bundle imported"

# campaign parse: the notice in a Chinese path read into the same template as on Linux (the same
# lines printed, the same file), and a notice with no deadline the same exit 1.
NOTICES="$OUT/通知 文件"; rm -rf "$NOTICES"; mkdir -p "$NOTICES"
cp tests/fixtures/notices/*.txt "$NOTICES/"
for f in 2024-三八 缺截止时间; do
    lin_rc=0; ./target/debug/baosong campaign parse "$NOTICES/$f.txt" -o "$NOTICES/$f.linux.json" \
        | sed 's#^已保存：.*#已保存#' > "$NOTICES/$f.linux.txt" || lin_rc=$?
    win_rc=0; "$WINE" "$EXE" campaign parse "$(winpath "$NOTICES/$f.txt")" -o "$(winpath "$NOTICES/$f.wine.json")" \
        | tr -d '\r' | sed 's#^已保存：.*#已保存#' > "$NOTICES/$f.wine.txt" || win_rc=$?
    [ "$lin_rc" = "$win_rc" ] || fail "campaign parse $f: exit $lin_rc on Linux, $win_rc under Wine"
    diff "$NOTICES/$f.linux.txt" "$NOTICES/$f.wine.txt" || fail "campaign parse $f: output differs"
    cmp "$NOTICES/$f.linux.json" "$NOTICES/$f.wine.json" || fail "campaign parse $f: template differs"
done
grep -q "三要切实维护妇女儿童合法权益" "$NOTICES/2024-三八.wine.txt" || fail "campaign parse under Wine: items"
echo "campaign parse under Wine: same template as Linux from a Chinese path"

# campaign key / publish / campaigns: the department's key made under Wine in a Chinese path, the
# 六一 template published with the desk token to the real intake, then listed and verified by the
# Windows build and by the Linux one in their own data folders: the same lines.
if [ -d deploy/intake/node_modules/@tus/server ]; then
    DESK_DATA="$OUT/收件台 数据"; rm -rf "$DESK_DATA"; mkdir -p "$DESK_DATA"
    BAOSONG_DATA_DIR="$(winpath "$DESK_DATA")" "$WINE" "$EXE" campaign key | tr -d '\r' > "$OUT/key-wine.txt" \
        || fail "campaign key under Wine"
    [ -s "$DESK_DATA/desk/campaign-signing-key" ] || fail "campaign key under Wine: no key file"
    KEY=$(sed -n 's/^签名公钥.*：\([0-9a-f]\{64\}\)$/\1/p' "$OUT/key-wine.txt")
    [ -n "$KEY" ] || { cat "$OUT/key-wine.txt"; fail "campaign key under Wine printed no public key"; }
    printf 'desk-tok-77 @desk\nunit-tok-88 渝中区妇联\n' > "$OUT/campaign-tokens.txt"
    INTAKE_TOKENS="$OUT/campaign-tokens.txt" INTAKE_CAMPAIGN_KEY="$KEY" TZ=Asia/Shanghai \
        node deploy/intake/server.mjs 0 "$OUT/campaign-intake/uploads" > "$OUT/campaign-intake.out" &
    TUS=$!
    for i in $(seq 1 50); do grep -q listening "$OUT/campaign-intake.out" && break; sleep 0.1; done
    URL="http://127.0.0.1:$(sed -n 's/^listening //p' "$OUT/campaign-intake.out")/files/"
    ./target/debug/baosong campaign parse tests/fixtures/notices/2025-六一.txt -o "$NOTICES/六一 模板.json" > /dev/null \
        || fail "campaign parse 六一"
    win_rc=0; BAOSONG_DATA_DIR="$(winpath "$DESK_DATA")" "$WINE" "$EXE" campaign publish \
        "$(winpath "$NOTICES/六一 模板.json")" --endpoint "$URL" --token desk-tok-77 | tr -d '\r' \
        > "$OUT/publish-wine.txt" 2>"$OUT/publish-wine.err" || win_rc=$?
    [ "$win_rc" = 0 ] || { kill $TUS; cat "$OUT/publish-wine.err"; fail "campaign publish under Wine exited $win_rc"; }
    grep -q "已发布：2025年“六一”国际儿童节主题宣传活动情况报送（cq-liuyi-2025 第1版）" "$OUT/publish-wine.txt" \
        || { kill $TUS; cat "$OUT/publish-wine.txt"; fail "campaign publish under Wine: not published"; }
    CLERK_WINE="$OUT/单位 数据 wine"; CLERK_LINUX="$OUT/单位 数据 linux"; rm -rf "$CLERK_WINE" "$CLERK_LINUX"
    mkdir -p "$CLERK_WINE" "$CLERK_LINUX"
    BAOSONG_DATA_DIR="$(winpath "$CLERK_WINE")" "$WINE" "$EXE" campaigns --key "$KEY" --endpoint "$URL" \
        --token unit-tok-88 | tr -d '\r' > "$OUT/campaigns-wine.txt" || { kill $TUS; fail "campaigns under Wine"; }
    BAOSONG_DATA_DIR="$CLERK_LINUX" ./target/debug/baosong campaigns --key "$KEY" --endpoint "$URL" \
        --token unit-tok-88 > "$OUT/campaigns-linux.txt" || { kill $TUS; fail "campaigns on Linux"; }
    # review / remind / status: a draft sent under Wine with the unit's token, returned by the
    # desk under Wine with a note, the unit's status the same on Linux and under Wine; a reminder.
    REVIEWED="$OUT/审核 样例"; rm -rf "$REVIEWED"; cp -r docs/example-draft "$REVIEWED"
    BAOSONG_DATA_DIR="$(winpath "$CLERK_WINE")" "$WINE" "$EXE" submit "$(winpath "$REVIEWED")" --endpoint "$URL" \
        --token unit-tok-88 > "$OUT/review-submit.txt" 2>&1 || { kill $TUS; cat "$OUT/review-submit.txt"; fail "submit for review under Wine"; }
    SENT=$(find "$OUT/campaign-intake/uploads" -name '*.zip' | head -1)
    win_rc=0; BAOSONG_DATA_DIR="$(winpath "$DESK_DATA")" "$WINE" "$EXE" review "$(winpath "$SENT")" \
        --return "请补充活动视频" --note "一、一是=请补充活动视频" --endpoint "$URL" --token desk-tok-77 \
        | tr -d '\r' > "$OUT/review-wine.txt" 2>"$OUT/review-wine.err" || win_rc=$?
    [ "$win_rc" = 0 ] || { kill $TUS; cat "$OUT/review-wine.err"; fail "review under Wine exited $win_rc"; }
    grep -q "已发送给渝中区妇联：退回修改：请补充活动视频" "$OUT/review-wine.txt" || { kill $TUS; fail "review under Wine: not sent"; }
    BAOSONG_DATA_DIR="$CLERK_LINUX" ./target/debug/baosong status "$REVIEWED" --key "$KEY" --endpoint "$URL" \
        --token unit-tok-88 > "$OUT/review-status-linux.txt" || { kill $TUS; fail "status with review on Linux"; }
    BAOSONG_DATA_DIR="$(winpath "$CLERK_WINE")" "$WINE" "$EXE" status "$(winpath "$REVIEWED")" --key "$KEY" \
        --endpoint "$URL" --token unit-tok-88 | tr -d '\r' > "$OUT/review-status-wine.txt" || { kill $TUS; fail "status with review under Wine"; }
    diff "$OUT/review-status-linux.txt" "$OUT/review-status-wine.txt" || { kill $TUS; fail "status with review differs"; }
    grep -q "市妇联审核：退回修改：请补充活动视频" "$OUT/review-status-wine.txt" || { kill $TUS; fail "status under Wine: no review"; }
    BAOSONG_DATA_DIR="$(winpath "$DESK_DATA")" "$WINE" "$EXE" remind "请于3月12日前报送" --units 江北区妇联 \
        --endpoint "$URL" --token desk-tok-77 | tr -d '\r' > "$OUT/remind-wine.txt" || { kill $TUS; fail "remind under Wine"; }
    grep -q "已发送给江北区妇联：市妇联提醒：请于3月12日前报送" "$OUT/remind-wine.txt" || { kill $TUS; fail "remind under Wine: not sent"; }
    echo "review, remind and status under Wine: returned with a note, the same status as Linux, reminded"
    kill $TUS 2>/dev/null || true
    diff "$OUT/campaigns-linux.txt" "$OUT/campaigns-wine.txt" || fail "campaigns output differs"
    grep -q "第1版  截止 2025年6月6日 17:00" "$OUT/campaigns-wine.txt" || fail "campaigns under Wine: not listed"
    cmp "$CLERK_LINUX/campaigns/cq-liuyi-2025-v1.json" "$CLERK_WINE/campaigns/cq-liuyi-2025-v1.json" \
        || fail "campaigns: the kept template differs"
    echo "campaign key, publish and campaigns under Wine: published, listed and verified as on Linux"
else
    echo "SKIP campaign publish under Wine: npm ci in deploy/intake first"
fi

echo "== window under Xvfb + Wine"
DISPLAY_NUM=$(( (RANDOM % 20000) + 30000 ))
Xvfb ":$DISPLAY_NUM" -screen 0 1280x860x24 -nolisten tcp >/dev/null 2>&1 &
XVFB=$!
trap 'kill $XVFB 2>/dev/null || true; "$WINESERVER" -k 2>/dev/null || true' EXIT
sleep 2
GUI_DATA="$OUT/gui-data"; mkdir -p "$GUI_DATA"
DISPLAY=":$DISPLAY_NUM" WGPU_BACKEND=vulkan BAOSONG_LOG=info BAOSONG_SMOKE_EXIT_AFTER_MS=15000 \
    BAOSONG_DATA_DIR="$(winpath "$GUI_DATA")" "$WINE" "$EXE" > "$OUT/gui.out" 2>&1 &
GUI=$!
shot=""
for i in $(seq 1 40); do
    sleep 1
    if ls "$GUI_DATA"/logs/* >/dev/null 2>&1 && grep -q "first frame drawn" "$GUI_DATA"/logs/*; then
        sleep 3
        DISPLAY=":$DISPLAY_NUM" import -window root "$OUT/start-screen.png"
        shot=yes
        break
    fi
done
[ -n "$shot" ] || { cat "$OUT/gui.out" | tail -20; fail "no first frame within 40 s"; }
colours=$(convert "$OUT/start-screen.png" -format %k info:)
echo "screenshot: $OUT/start-screen.png ($colours colours)"
[ "$colours" -gt 50 ] || fail "the window looks blank ($colours colours)"
gui_rc=0; wait $GUI || gui_rc=$?
[ "$gui_rc" = 0 ] || fail "the exe exited with $gui_rc"
grep -q "window closed, drafts saved" "$GUI_DATA"/logs/* || fail "no clean close in the log"
grep -h "renderer in use" "$GUI_DATA"/logs/* | tail -1
echo "== Wine smoke test passed: CLI answers match Linux, the window drew its start screen and closed cleanly"
