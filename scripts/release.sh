#!/usr/bin/env bash
# Cut a release: dist/baosong-<version>-windows-x64.zip, what IT copies to the office PCs.
#
#   bash scripts/release.sh            # from a clean checkout of the commit to release
#
# The zip holds one folder, baosong-<version>/, with
#   baosong.exe            the optimised Windows build (the `release` profile, x86_64-pc-windows-gnu)
#   baosong.toml.example   every setting IT can give, commented in Chinese (release/)
#   使用说明.html           one page for clerks and IT, with screenshots of the real screens
#   第三方许可.txt          every crate's licence and notice, and the font's OFL (release/, made by
#                           cargo-about from Cargo.lock: scripts/licences.sh)
#   SHA256SUMS             the SHA-256 of each file above
# and beside it dist/baosong-<version>-windows-x64.zip.sha256 (the zip's own, to publish apart).
#
# The same commit gives the same bytes: paths inside the exe are remapped, the linker writes no
# time stamp, the zip's entries are in a fixed order with the commit's date, and the screenshots
# are converted the same way (CI builds it and checks, tests/release.rs). CI's Wine smoke test
# runs the baosong.exe from this zip (scripts/wine-smoke.sh --release).
#
# Needs: rustup target x86_64-pc-windows-gnu, gcc-mingw-w64-x86-64, imagemagick, python3, git.
# ALLOW_DIRTY=1 cuts from a working tree with uncommitted changes, for trying the script only: the
# exe then says "<commit>-dirty" (--version, properties, receipts), never a commit it is not.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TARGET=x86_64-pc-windows-gnu
source scripts/release-env.sh
DIST="$ROOT/dist"
STAGE="$ROOT/target/release-stage/baosong-$VERSION"

if [ -n "$DIRTY" ] && [ "${ALLOW_DIRTY:-}" != 1 ]; then
    echo "release: the working tree has uncommitted changes; commit them first (or ALLOW_DIRTY=1 to try the script)" >&2
    exit 1
fi
# "-dirty" when ALLOW_DIRTY let a changed tree through: the exe and the guide say so.
export BAOSONG_COMMIT="$COMMIT"
[ -n "$VERSION" ] || { echo "release: no version in Cargo.toml" >&2; exit 1; }

# The licences file must be the one made from this Cargo.lock (scripts/licences.sh writes its hash).
LOCK_SHA=$(sha256sum Cargo.lock | cut -d' ' -f1)
grep -q "Cargo.lock SHA-256：$LOCK_SHA" release/第三方许可.txt || {
    echo "release: release/第三方许可.txt was made from another Cargo.lock; run scripts/licences.sh" >&2
    exit 1
}

echo "== building baosong.exe $VERSION ($COMMIT), release profile"
# Reproducible: no build paths in the exe, no link time stamp in its PE header.
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUSTFLAGS="$RELEASE_RUSTFLAGS"
cargo build --locked --release --target "$TARGET"
EXE="$BUILT/$TARGET/release/baosong.exe"

echo "== staging $STAGE"
rm -rf "$STAGE"; mkdir -p "$STAGE"
cp "$EXE" "$STAGE/baosong.exe"
cp release/baosong.toml.example "$STAGE/"
cp release/第三方许可.txt "$STAGE/"
# 使用说明.html: the screenshots (kittest snapshots of the real screens, tests/snapshots) made
# smaller and put inside the page, so it is one file that opens anywhere.
SHOTS="$ROOT/target/release-stage/shots"; rm -rf "$SHOTS"; mkdir -p "$SHOTS"
for shot in $(grep -o '{{shot:[a-z_0-9]*\.png}}' release/使用说明.html | sed 's/{{shot:\(.*\)}}/\1/' | sort -u); do
    convert "tests/snapshots/$shot" -resize '960x>' -strip -quality 82 "$SHOTS/${shot%.png}.jpg"
done
python3 - "$ROOT/release/使用说明.html" "$STAGE/使用说明.html" "$SHOTS" "$VERSION" "$COMMIT" <<'PY'
import base64, re, sys
src, out, shots, version, commit = sys.argv[1:]
html = open(src, encoding="utf-8").read()
def shot(m):
    data = open(f"{shots}/{m.group(1)}.jpg", "rb").read()
    return "data:image/jpeg;base64," + base64.b64encode(data).decode()
html = re.sub(r"\{\{shot:([a-z_0-9]+)\.png\}\}", shot, html)
html = html.replace("{{version}}", version).replace("{{commit}}", commit)
assert "{{" not in html, "a placeholder left in 使用说明.html"
open(out, "w", encoding="utf-8", newline="\r\n").write(html)
PY
(cd "$STAGE" && sha256sum baosong.exe baosong.toml.example 使用说明.html 第三方许可.txt > SHA256SUMS)

echo "== zipping"
mkdir -p "$DIST"
EPOCH=$(git log -1 --format=%ct HEAD)
python3 - "$STAGE" "$DIST/$NAME.zip" "$EPOCH" <<'PY'
import os, sys, time, zipfile
stage, out, epoch = sys.argv[1], sys.argv[2], int(sys.argv[3])
top = os.path.basename(stage)
# The commit's date (UTC), as a zip stores it; the entries in a fixed order, plain files (made
# "on Unix", rw-r--r--: with "made on MS-DOS", Debian's unzip ignores the UTF-8 flag of the Chinese
# names; Windows' own unzip, 7-Zip and Python read them either way).
stamp = time.gmtime(max(epoch, 315532800))[:6]
tmp = out + ".tmp"
with zipfile.ZipFile(tmp, "w") as z:
    for name in sorted(os.listdir(stage)):
        info = zipfile.ZipInfo(f"{top}/{name}", date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3
        info.external_attr = 0o100644 << 16
        with open(os.path.join(stage, name), "rb") as f:
            z.writestr(info, f.read(), compresslevel=9)
os.replace(tmp, out)
PY
(cd "$DIST" && sha256sum "$NAME.zip" > "$NAME.zip.sha256")
ls -l "$DIST/$NAME.zip"
cat "$DIST/$NAME.zip.sha256"
