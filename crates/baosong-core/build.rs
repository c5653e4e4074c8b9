//! Build script of the core: the commit the program is built from (see build_commit.rs).

include!("build_commit.rs");

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build_commit.rs");
    let _ = emit_build_commit();
}
