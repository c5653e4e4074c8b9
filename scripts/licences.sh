#!/usr/bin/env bash
# Write release/第三方许可.txt: the licences and notices of everything baosong.exe is built from —
# the bundled font (its OFL) and every crate in Cargo.lock, each licence's text with the crates
# under it — made by cargo-about (https://github.com/EmbarkStudios/cargo-about) from the
# lockfile and the crates' own licence files. Run it after any change to Cargo.lock and commit
# the result: scripts/release.sh refuses a file made from another lockfile, and
# tests/release.rs checks that it names every crate in Cargo.lock.
#
# Needs cargo-about 0.9: `cargo install --locked --features cli cargo-about@0.9.3` (a few minutes, once).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-about >/dev/null || { echo "licences: install cargo-about first: cargo install --locked --features cli cargo-about@0.9.3" >&2; exit 1; }
OUT=release/第三方许可.txt
BODY=$(mktemp); trap 'rm -f "$BODY"' EXIT
cargo about generate --locked --config release/about.toml release/about.hbs > "$BODY"
{
    echo "第三方许可 / Third-party licences — baosong"
    echo
    echo "报送程序 baosong 使用了下列开源软件和字体。按其许可条款，随程序附上它们的许可和版权声明。"
    echo "baosong includes the open-source software and the font below; their licences and notices follow."
    echo
    echo "由 cargo-about $(cargo about --version | awk '{print $2}') 根据 Cargo.lock 生成（scripts/licences.sh）。"
    echo "Cargo.lock SHA-256：$(sha256sum Cargo.lock | cut -d' ' -f1)"
    echo "每个 crate 的源代码都可在 https://crates.io/crates/<名称>/<版本> 获取（MPL-2.0 等许可要求告知源代码的获取方式）。"
    echo "The source of every crate below is available at https://crates.io/crates/<name>/<version>."
    echo
    echo "================================================================================"
    echo "字体 / Font: NotoSansSC-baosong.otf（SIL Open Font License 1.1, OFL-1.1）"
    echo "--------------------------------------------------------------------------------"
    cat assets/fonts/OFL.txt
    echo
    cat "$BODY"
    # Cargo.lock also lists crates that no build of baosong compiles, for any platform (optional
    # features nobody turns on): cargo-about leaves them out; they are named here, so that the
    # file names every crate in the lockfile (tests/release.rs), with what their manifests say.
    python3 - Cargo.lock "$BODY" "${CARGO_HOME:-$HOME/.cargo}/registry/src" <<'PY'
import glob, os, sys, tomllib
lock, body, registry = sys.argv[1], open(sys.argv[2], encoding="utf-8").read(), sys.argv[3]
rest = []
for p in tomllib.load(open(lock, "rb"))["package"]:
    if "source" in p and f"\n    {p['name']} {p['version']}\n" not in body:
        licence = "?"
        for manifest in glob.glob(os.path.join(registry, "*", f"{p['name']}-{p['version']}", "Cargo.toml")):
            licence = tomllib.load(open(manifest, "rb")).get("package", {}).get("license", "?")
        rest.append((p["name"], p["version"], licence))
if rest:
    print("=" * 80)
    print("Cargo.lock 中列出、但任何平台的构建都不编译的 crate（不在程序中）")
    print("Listed in Cargo.lock, compiled into no build of baosong for any platform (not in the program):")
    for name, version, licence in rest:
        print(f"    {name} {version}\n        ({licence})")
PY
} | tr -d '\r' > "$OUT"   # one kind of line end (some crates ship CRLF licence files)
echo "$OUT: $(wc -c < "$OUT") bytes, $(grep -c '^    [a-zA-Z0-9_-]* [0-9]' "$OUT") crate lines"
