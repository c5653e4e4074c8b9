//! No photo can stop a send: the DC-only JPEG decoder (`core::media::jpeg_dc`, the thumbnails'
//! speed) against a reference decoder (jpeg-decoder at the same 1/8 scale) over JPEGs that
//! libjpeg writes (ImageMagick) in every sampling layout a JPEG can declare — luma finer, chroma
//! finer, mixed, 1–4 per axis —, progressive, grey, CMYK, odd sizes. Each either matches the
//! reference within a tolerance or declines (the general decoder is then used); none panics.
//! And the photo that made every export fail (3000×2000, chroma sampled 2×2 under 1×1 luma) now
//! goes into a bundle.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::Command;

use baosong::core::media::jpeg_dc::decode_dc;
use common::drafts::*;

/// Mean absolute difference per channel (of 255) allowed against the reference.
const TOLERANCE: f64 = 8.0;

fn convert(args: &[&str]) {
    let s = Command::new("convert")
        .args(args)
        .status()
        .expect("ImageMagick's convert (apt-get install imagemagick; scripts/test.sh does)");
    assert!(s.success(), "convert {args:?}");
}

/// A picture with structure in every channel (gradients and blocks), `w×h`, as PNG.
fn source(dir: &Path, w: u32, h: u32) -> std::path::PathBuf {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let block = ((x / 37) + (y / 23)) % 5;
        image::Rgb([
            (x * 255 / w) as u8,
            (y * 255 / h) as u8,
            (40 + block * 40) as u8,
        ])
    });
    let p = dir.join(format!("src-{w}x{h}.png"));
    img.save(&p).unwrap();
    p
}

/// jpeg-decoder at 1/8 scale: width, height, RGB (grey expanded).
fn reference(jpeg: &[u8]) -> Option<(u32, u32, Vec<u8>)> {
    let mut d = jpeg_decoder::Decoder::new(std::io::Cursor::new(jpeg));
    d.read_info().ok()?;
    let info = d.info()?;
    let (w, h) = d
        .scale(info.width.div_ceil(8), info.height.div_ceil(8))
        .ok()?;
    let px = d.decode().ok()?;
    let info = d.info()?;
    let rgb = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => px,
        jpeg_decoder::PixelFormat::L8 => px.iter().flat_map(|g| [*g, *g, *g]).collect(),
        _ => return None,
    };
    Some((u32::from(w), u32::from(h), rgb))
}

#[test]
fn every_sampling_layout_matches_the_reference_or_declines_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let mut matched = 0;
    let mut worst = 0f64;
    let mut report = Vec::new();
    for (w, h) in [(640, 480), (333, 251), (97, 1203)] {
        let src = source(dir.path(), w, h);
        for (name, extra) in [
            ("1x1", vec!["-sampling-factor", "1x1,1x1,1x1"]),
            ("2x2 (4:2:0)", vec!["-sampling-factor", "2x2,1x1,1x1"]),
            ("2x1 (4:2:2)", vec!["-sampling-factor", "2x1,1x1,1x1"]),
            ("1x2", vec!["-sampling-factor", "1x2,1x1,1x1"]),
            ("4x1", vec!["-sampling-factor", "4x1,1x1,1x1"]),
            ("1x4", vec!["-sampling-factor", "1x4,1x1,1x1"]),
            ("4x2", vec!["-sampling-factor", "4x2,1x1,1x1"]),
            (
                "chroma finer 1x1,2x2,1x1",
                vec!["-sampling-factor", "1x1,2x2,1x1"],
            ),
            (
                "chroma finer 1x1,2x2,2x2",
                vec!["-sampling-factor", "1x1,2x2,2x2"],
            ),
            ("mixed 2x1,1x2,1x1", vec!["-sampling-factor", "2x1,1x2,1x1"]),
            ("mixed 1x2,2x1,1x1", vec!["-sampling-factor", "1x2,2x1,1x1"]),
            ("mixed 2x2,2x1,1x2", vec!["-sampling-factor", "2x2,2x1,1x2"]),
            ("progressive", vec!["-interlace", "Plane"]),
            ("grey", vec!["-colorspace", "Gray"]),
            ("CMYK", vec!["-colorspace", "CMYK"]),
        ] {
            let out = dir.path().join("t.jpg");
            let mut args = vec![src.to_str().unwrap()];
            args.extend(extra.iter().copied());
            args.extend(["-quality", "92", out.to_str().unwrap()]);
            convert(&args);
            let jpeg = std::fs::read(&out).unwrap();
            let ours = std::panic::catch_unwind(|| decode_dc(&jpeg))
                .unwrap_or_else(|_| panic!("{name} {w}×{h}: the DC decoder panicked"));
            let Some(ours) = ours else {
                report.push(format!("{name} {w}×{h}: declined (general decoder)"));
                continue;
            };
            let (rw, rh, theirs) =
                reference(&jpeg).unwrap_or_else(|| panic!("{name}: the reference cannot read it"));
            assert_eq!((ours.width, ours.height), (rw, rh), "{name} {w}×{h}");
            let diff: u64 = ours
                .rgb
                .iter()
                .zip(&theirs)
                .map(|(a, b)| u64::from(a.abs_diff(*b)))
                .sum();
            let mean = diff as f64 / theirs.len() as f64;
            report.push(format!("{name} {w}×{h}: mean difference {mean:.2}"));
            worst = worst.max(mean);
            matched += 1;
        }
    }
    println!("{}", report.join("\n"));
    // Out of 255 per channel (measured worst 6.3, a 97-px-wide picture of hard-edged blocks with
    // chroma subsampled: our chroma is nearest-neighbour, the reference's interpolated).
    assert!(
        worst < TOLERANCE,
        "worst mean difference {worst:.2}:\n{}",
        report.join("\n")
    );
    assert!(
        matched >= 30,
        "most layouts decoded by the fast path:\n{}",
        report.join("\n")
    );
}

#[test]
fn the_photo_that_stopped_every_export_goes_into_the_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let pc = dir.path().join("pc");
    std::fs::create_dir_all(&pc).unwrap();
    let src = source(dir.path(), 3000, 2000);
    let photo = pc.join("宣讲现场.jpg");
    convert(&[
        src.to_str().unwrap(),
        "-sampling-factor",
        "1x1,2x2,1x1",
        "-quality",
        "90",
        photo.to_str().unwrap(),
    ]);
    let store = baosong::core::store::DataDir::open(&data, common::clock()).unwrap();
    let id = complete_draft(&store, "渝中区妇联", &pc, &[&photo]);
    let zip = dir.path().join("材料包.zip");
    let o = Command::new(env!("CARGO_BIN_EXE_baosong"))
        .env("BAOSONG_DATA_DIR", &data)
        .args(["export", id.as_str(), "-o", zip.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // And 一键报送 of the same draft to the real intake: confirmed, stored byte for byte.
    let intake = common::peers::intake(None, &[]);
    let o = Command::new(env!("CARGO_BIN_EXE_baosong"))
        .env("BAOSONG_DATA_DIR", &data)
        .args([
            "submit",
            id.as_str(),
            "--endpoint",
            &format!("http://127.0.0.1:{}/files/", intake.port),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let receipt = String::from_utf8_lossy(&o.stdout);
    assert!(
        receipt.contains("报送回执") && receipt.contains("服务器确认"),
        "{receipt}"
    );
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let mut summary = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("汇总.html").unwrap(), &mut summary)
        .unwrap();
    assert!(
        summary.matches("data:image/png;base64,").count() >= 1,
        "its thumbnail is in the summary"
    );
}

#[test]
fn a_thumbnail_that_panics_or_hangs_costs_its_preview_not_the_bundle() {
    use baosong::core::bundle::{self, BuildInput, summary::NO_PREVIEW};
    use baosong::core::media::thumbs::Thumbnailer;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let pc = dir.path().join("pc");
    std::fs::create_dir_all(&pc).unwrap();
    let photo = pc.join("合影.jpg");
    std::fs::write(&photo, common::media::jpeg(320, 240, 1, false)).unwrap();
    let store = baosong::core::store::DataDir::open(&data, common::clock()).unwrap();
    let id = complete_draft(&store, "江北区妇联", &pc, &[&photo]);
    let draft = store.load(&id).unwrap();
    let campaign = baosong::core::campaign::Campaign::builtin().unwrap();
    let files_dir = baosong::core::store::draft_dir_in(&data, &id).join("files");
    // Decoder bugs, injected: every thumbnail panics; every thumbnail never returns.
    let panics = Thumbnailer::new(|_, _| panic!("injected decoder bug"));
    let hangs = Thumbnailer::new(|_, _| {
        loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    })
    .with_timeout(std::time::Duration::from_millis(300));
    for (case, thumbnail) in [("panics", panics), ("hangs", hangs)] {
        let input = BuildInput {
            campaign: &campaign,
            draft: &draft,
            files_dir: &files_dir,
            thumbnail: &thumbnail,
        };
        let zip = dir.path().join(format!("材料包-{case}.zip"));
        let built = bundle::build(&input, &zip, &baosong::core::work::Unwatched)
            .unwrap_or_else(|e| panic!("{case}: the bundle is built all the same: {e}"));
        assert!(built.bytes > 0);
        let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
        let mut summary = String::new();
        std::io::Read::read_to_string(&mut archive.by_name("汇总.html").unwrap(), &mut summary)
            .unwrap();
        assert!(
            summary.contains(NO_PREVIEW),
            "{case}: the placeholder stands for it"
        );
        assert!(
            archive
                .file_names()
                .any(|n| n.is_ok_and(|n| n.ends_with("合影.jpg"))),
            "{case}: the photo itself is in"
        );
    }
}
