//! Build script of the core: the commit the program is built from (see build_commit.rs).

include!("build_commit.rs");

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build_commit.rs");
    emit_build_commit();
}
