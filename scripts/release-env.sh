# Sourced, from the tree's root, by scripts/release.sh, check-release.sh, wine-smoke.sh and
# benches/cold-start.sh: one answer for all of them to which version, which commit, which zip, and
# how the release exe is built.
#   VERSION   from Cargo.toml
#   COMMIT    12 hex digits; "<commit>-dirty" when tracked files have uncommitted changes (DIRTY=1)
#   NAME, ZIP baosong-<version>-windows-x64, dist/<that>.zip
#   BUILT     the target folder (CARGO_TARGET_DIR or ./target), absolute
#   RELEASE_RUSTFLAGS  what makes the exe the same wherever it is built: the tree, the cargo
#             registry and the target folder remapped (the later mapping wins, so the target folder
#             inside the tree is /target too), and no link time stamp in the PE header
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
COMMIT=$(git rev-parse --short=12 HEAD)
DIRTY=
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
    DIRTY=1
    COMMIT="$COMMIT-dirty"
fi
NAME="baosong-$VERSION-windows-x64"
ZIP="dist/$NAME.zip"
BUILT="$(realpath -m "${CARGO_TARGET_DIR:-$(pwd)/target}")"
RELEASE_RUSTFLAGS="--remap-path-prefix=$(pwd)=/baosong --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo --remap-path-prefix=$BUILT=/target -C link-arg=-Wl,--no-insert-timestamp"
