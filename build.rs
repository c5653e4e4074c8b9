//! Build script. The app's data (campaign template, CJK font) is embedded with `include_str!` /
//! `include_bytes!`; rebuild when they change. Windows resources (icon, version info, manifest)
//! are added here for Windows targets by the Windows-readiness work.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=assets/campaigns");
    println!("cargo:rerun-if-changed=assets/fonts");
}
