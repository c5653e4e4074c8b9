#!/usr/bin/env bash
# Check the zip scripts/release.sh made, as IT would receive it (run by .ci/run after release.sh;
# docs/release.md). It fails unless:
#   - the zip's SHA-256 is the one in the .sha256 file beside it;
#   - the zip holds exactly baosong-<version>/{baosong.exe, baosong.toml.example, 使用说明.html,
#     第三方许可.txt, SHA256SUMS}, its Chinese names flagged as UTF-8 (Windows' own unzip reads them);
#   - SHA256SUMS verifies the files;
#   - baosong.exe is a 64-bit GUI-subsystem PE with no link time stamp, its version resource's
#     ProductVersion is "<version> (<commit>)" — what --version, the receipt and the diagnostics
#     say — with the icon and the DPI-aware manifest;
#   - the licences and the settings example are the committed ones; the guide has its pictures and
#     names this version;
#   - release.sh run again gives the same zip, byte for byte.
# Needs: python3, unzip, exiftool (libimage-exiftool-perl), mingw-w64's objdump.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/release-env.sh
fail() { echo "FAIL (release): $*"; exit 1; }

[ -f "$ZIP" ] || fail "$ZIP missing: run scripts/release.sh"
(cd dist && sha256sum --quiet -c "$NAME.zip.sha256") || fail "the zip's .sha256 does not match"

python3 - "$ZIP" "$VERSION" <<'PY' || fail "zip members"
import sys, zipfile
path, version = sys.argv[1], sys.argv[2]
top = f"baosong-{version}/"
want = {top + n for n in ["baosong.exe", "baosong.toml.example", "使用说明.html", "第三方许可.txt", "SHA256SUMS"]}
with zipfile.ZipFile(path) as z:
    infos = z.infolist()
    names = {i.filename for i in infos}
    assert names == want, f"members: {sorted(names)}"
    for i in infos:
        if not i.filename.isascii():
            assert i.flag_bits & 0x800, f"{i.filename}: name not flagged UTF-8"
    assert z.testzip() is None
print(f"zip: {len(infos)} members under {top}")
PY

WORK=target/release-check; rm -rf "$WORK"; mkdir -p "$WORK"
unzip -q "$ZIP" -d "$WORK"
DIR="$WORK/baosong-$VERSION"
(cd "$DIR" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not verify"
[ "$(wc -l < "$DIR/SHA256SUMS")" = 4 ] || fail "SHA256SUMS should list the 4 other files"

EXE="$DIR/baosong.exe"
HEADERS=$(x86_64-w64-mingw32-objdump -p -h "$EXE")
grep -q "file format pei-x86-64" <<<"$HEADERS" || fail "not a 64-bit PE"
grep -q "(Windows GUI)" <<<"$HEADERS" || fail "not a GUI-subsystem exe"
grep -q "[.]rsrc" <<<"$HEADERS" || fail "no resources"
grep -Eq "^Time/Date[[:space:]]+(Thu Jan  1 00:00:00 1970|0)" <<<"$HEADERS" \
    || fail "the PE header has a link time stamp: $(grep ^Time/Date <<<"$HEADERS")"
PRODUCT=$(exiftool -s3 -ProductVersion "$EXE")
[ "$PRODUCT" = "$VERSION ($COMMIT)" ] || fail "ProductVersion is '$PRODUCT', not '$VERSION ($COMMIT)'"
FILEVER=$(exiftool -s3 -FileVersionNumber "$EXE")
[ "$FILEVER" = "$VERSION.0" ] || fail "FileVersionNumber is '$FILEVER'"
grep -q "PerMonitorV2" "$EXE" || fail "no DPI-aware manifest"
grep -aq "$VERSION ($COMMIT)" "$EXE" || fail "the program's own version text does not name $COMMIT"
if strings -a "$EXE" | grep -qF -e "$(pwd)" -e "$BUILT" -e "${CARGO_HOME:-$HOME/.cargo}"; then
    fail "the exe holds this build's paths (not reproducible): $(strings -a "$EXE" | grep -F -e "$(pwd)" -e "$BUILT" | head -2)"
fi
echo "baosong.exe: $(stat -c %s "$EXE") bytes, GUI subsystem, ProductVersion $PRODUCT, no time stamp"

cmp "$DIR/第三方许可.txt" release/第三方许可.txt || fail "第三方许可.txt is not the committed one"
cmp "$DIR/baosong.toml.example" release/baosong.toml.example || fail "baosong.toml.example is not the committed one"
GUIDE="$DIR/使用说明.html"
grep -q "{{" "$GUIDE" && fail "a placeholder left in 使用说明.html"
grep -q "版本 $VERSION（提交 $COMMIT）" "$GUIDE" || fail "使用说明.html does not name this version"
[ "$(grep -o 'data:image/jpeg;base64,' "$GUIDE" | wc -l)" -ge 6 ] || fail "使用说明.html lacks its pictures"

echo "== the same zip twice"
cp "$ZIP" "$WORK/first.zip"
bash scripts/release.sh > "$WORK/second-run.log" 2>&1 || { tail -20 "$WORK/second-run.log"; fail "release.sh, second run"; }
cmp "$WORK/first.zip" "$ZIP" || fail "release.sh gave another zip the second time"
echo "== release zip checked: $ZIP ($(stat -c %s "$ZIP") bytes), the same bytes twice"
