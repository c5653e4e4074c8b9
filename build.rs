//! Build script. The app's data (campaign template, CJK font, icon) is embedded with
//! `include_str!` / `include_bytes!`; rebuild when it changes.
//!
//! The commit the program is built from (build_commit.rs, shared with the core).
//!
//! For Windows targets only: embed the icon, version information (from Cargo.toml, and the commit
//! in ProductVersion) and an
//! application manifest — per-monitor DPI awareness (sharp text on scaled office screens), long
//! paths, UTF-8 as the process code page, and common controls v6 for the file dialogs.
//! Cross-building from Linux uses mingw-w64's `windres`.

include!("crates/baosong-core/build_commit.rs");

const MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<assembly xmlns="urn:schemas-microsoft-com:asm.v1" manifestVersion="1.0">
  <assemblyIdentity type="win32" name="cn.cqwomen.baosong" version="1.0.0.0"/>
  <dependency>
    <dependentAssembly>
      <assemblyIdentity type="win32" name="Microsoft.Windows.Common-Controls" version="6.0.0.0"
        processorArchitecture="*" publicKeyToken="6595b64144ccf1df" language="*"/>
    </dependentAssembly>
  </dependency>
  <compatibility xmlns="urn:schemas-microsoft-com:compatibility.v1">
    <application>
      <supportedOS Id="{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a}"/>
    </application>
  </compatibility>
  <application xmlns="urn:schemas-microsoft-com:asm.v3">
    <windowsSettings>
      <dpiAware xmlns="http://schemas.microsoft.com/SMI/2005/WindowsSettings">true/pm</dpiAware>
      <dpiAwareness xmlns="http://schemas.microsoft.com/SMI/2016/WindowsSettings">PerMonitorV2</dpiAwareness>
      <longPathAware xmlns="http://schemas.microsoft.com/SMI/2016/WindowsSettings">true</longPathAware>
      <activeCodePage xmlns="http://schemas.microsoft.com/SMI/2019/WindowsSettings">UTF-8</activeCodePage>
    </windowsSettings>
  </application>
  <trustInfo xmlns="urn:schemas-microsoft-com:asm.v3">
    <security>
      <requestedPrivileges>
        <requestedExecutionLevel level="asInvoker" uiAccess="false"/>
      </requestedPrivileges>
    </security>
  </trustInfo>
</assembly>
"#;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=assets");
    println!("cargo:rerun-if-changed=crates/baosong-core/build_commit.rs");
    // The commit, as the core says it (baosong_core::build_info): the version resource names it.
    let commit = emit_build_commit();
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    let mut res = winresource::WindowsResource::new();
    res.set_icon("assets/icon.ico")
        .set_language(0x0804) // zh-CN
        .set("ProductName", "报送 baosong")
        .set("FileDescription", "重庆市妇联“三八”国际妇女节活动情况报送")
        .set("CompanyName", "baosong")
        .set("OriginalFilename", "baosong.exe")
        // `0.1.0 (1a2b3c4d5e6f)`, as `baosong --version`, the receipt and the diagnostics say it.
        .set(
            "ProductVersion",
            &format!("{} ({commit})", env!("CARGO_PKG_VERSION")),
        )
        .set_manifest(MANIFEST);
    if let Err(e) = res.compile() {
        // A build-time failure for the developer: say what is missing.
        eprintln!(
            "error: embedding the Windows resources failed: {e} (for cross-builds install mingw-w64's windres)"
        );
        std::process::exit(1);
    }
}
