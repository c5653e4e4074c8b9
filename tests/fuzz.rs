//! Every parser that reads untrusted bytes inside the app's own process, fed mutated files for a
//! bounded time: the clerk's photos, videos and documents (kind sniffing, EXIF/XMP reading and
//! location removal, the DC-only JPEG decoder and the photo decoders, video location removal and
//! the MP4 box walk, page counts), and on the receiving desk the units' bundles (zip, manifest,
//! verification) and the intake's audit log. Each input must come back — an answer or a refusal,
//! never a panic (a hang is stopped by nextest's five-minute limit, `.config/nextest.toml`).
//!
//! The seeds are the committed corpus in `tests/fuzz/corpus/` (README there: how each was made).
//! Mutations: bit flips, interesting bytes and big-endian lengths written anywhere (box and
//! segment sizes), ranges cut, repeated or spliced from another seed, truncation. No coverage
//! guidance: this is a stable-toolchain mutation fuzzer, deterministic for a seed.
//!
//! `BAOSONG_FUZZ_SECONDS` (default 4) is each target's budget; `BAOSONG_FUZZ_SEED` replays a run
//! (each test prints its seed first). A failing input is written to `target/fuzz-failures/`.
//! Longer runs: `BAOSONG_FUZZ_SECONDS=600 cargo nextest run --test fuzz`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use baosong::core::media::{document, exif, isobmff, jpeg_dc, picture, sniff, video_location};

/// The seeds of the corpus folders named (`photo`, or `photo,video`), sorted by name.
fn corpus(groups: &str) -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    for group in groups.split(',') {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fuzz/corpus")
            .join(group);
        let mut found: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name() != "README.md")
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        assert!(!found.is_empty(), "no seeds in {}", dir.display());
        found.sort();
        seeds.extend(found);
    }
    seeds
}

fn budget() -> Duration {
    let secs = std::env::var("BAOSONG_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(4.0);
    Duration::from_secs_f64(secs)
}

fn seed() -> u64 {
    std::env::var("BAOSONG_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        })
}

const INTERESTING_U32: [u32; 10] = [
    0,
    1,
    7,
    8,
    16,
    0x7F,
    0xFFFF,
    0x7FFF_FFFF,
    0xFFFF_FFFF,
    0x8000_0000,
];
const INTERESTING_U8: [u8; 6] = [0, 1, 0x7F, 0x80, 0xFF, 0xD8];

/// One mutated input from the seeds.
fn mutate(rng: &mut fastrand::Rng, seeds: &[(String, Vec<u8>)]) -> (String, Vec<u8>) {
    let (name, seed) = &seeds[rng.usize(..seeds.len())];
    let mut b = seed.clone();
    for _ in 0..rng.usize(1..=6) {
        if b.is_empty() {
            b.push(rng.u8(..));
            continue;
        }
        let at = rng.usize(..b.len());
        match rng.u8(..9) {
            0 => b[at] ^= 1 << rng.u8(..8),
            1 => b[at] = INTERESTING_U8[rng.usize(..INTERESTING_U8.len())],
            2 => b[at] = rng.u8(..),
            3 if b.len() >= 4 => {
                // A length or offset field: any 4 bytes made an interesting big-endian number,
                // or one near the input's own size.
                let at = rng.usize(..=b.len() - 4);
                let v = if rng.bool() {
                    INTERESTING_U32[rng.usize(..INTERESTING_U32.len())]
                } else {
                    (b.len() as u32).wrapping_add(rng.u32(..16)).wrapping_sub(8)
                };
                b[at..at + 4].copy_from_slice(&v.to_be_bytes());
            }
            4 => {
                let end = (at + rng.usize(1..64)).min(b.len());
                b.drain(at..end);
            }
            5 => {
                let end = (at + rng.usize(1..64)).min(b.len());
                let piece = b[at..end].to_vec();
                let to = rng.usize(..=b.len());
                b.splice(to..to, piece);
            }
            6 => b.truncate(at),
            7 => {
                let (_, other) = &seeds[rng.usize(..seeds.len())];
                if !other.is_empty() {
                    let from = rng.usize(..other.len());
                    let end = (from + rng.usize(1..256)).min(other.len());
                    let to = rng.usize(..=b.len());
                    b.splice(to..to, other[from..end].iter().copied());
                }
            }
            _ => {
                let n = rng.usize(1..16);
                let to = rng.usize(..=b.len());
                b.splice(to..to, (0..n).map(|_| rng.u8(..)));
            }
        }
    }
    (name.clone(), b)
}

fn failures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-failures")
}

/// Run `target` on mutated seeds for the budget; the first input that panics fails the test,
/// written out for replay.
fn fuzz(target: &str, group: &str, run: impl Fn(&str, &[u8])) {
    let seeds = corpus(group);
    let seed = seed();
    println!("fuzz {target}: BAOSONG_FUZZ_SEED={seed}");
    // The seeds themselves first, untouched.
    for (name, bytes) in &seeds {
        run(name, bytes);
    }
    let mut rng = fastrand::Rng::with_seed(seed);
    let started = Instant::now();
    let mut runs = 0u64;
    // The panic hook would print a backtrace for every caught panic: silenced while fuzzing,
    // the failing input is reported below.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut failed = None;
    while started.elapsed() < budget() {
        let (name, input) = mutate(&mut rng, &seeds);
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| run(&name, &input))) {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            failed = Some((name, input, why));
            break;
        }
        runs += 1;
    }
    std::panic::set_hook(hook);
    if let Some((name, input, why)) = failed {
        let dir = failures_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{target}-{seed}-{runs}-{name}"));
        std::fs::write(&path, &input).unwrap();
        panic!(
            "fuzz {target}: a mutation of {name} panicked ({why}); input written to {}",
            path.display()
        );
    }
    println!(
        "fuzz {target}: {runs} inputs in {:.1} s, none panicked",
        started.elapsed().as_secs_f64()
    );
    assert!(runs > 0 || budget().is_zero());
}

fn format_of(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "jpg" => "jpeg",
        "png" => "png",
        "gif" => "gif",
        "webp" => "webp",
        "heic" => "heic",
        "pdf" => "pdf",
        "docx" => "docx",
        _ => "mp4",
    }
}

#[test]
fn fuzz_kind_sniffing() {
    // sniff reads the head and, for zips and OLE files, seeks in the file.
    fuzz("sniff", "photo,video,document,bundle", |name, bytes| {
        let head = &bytes[..bytes.len().min(sniff::HEAD_BYTES)];
        let _ = sniff::sniff(head, name, Some(&mut Cursor::new(bytes)));
    });
}

#[test]
fn fuzz_photo_metadata_reading_and_location_removal() {
    fuzz("exif", "photo", |name, bytes| {
        let format = format_of(name);
        let _ = exif::read_photo(format, bytes);
        let mut copy = bytes.to_vec();
        let len = copy.len();
        let _ = exif::remove_location(format, &mut copy);
        assert_eq!(copy.len(), len, "location removal keeps the length");
    });
}

#[test]
fn fuzz_the_dc_only_jpeg_decoder() {
    fuzz("jpeg_dc", "photo", |_, bytes| {
        if let Some(img) = jpeg_dc::decode_dc(bytes) {
            assert_eq!(
                img.rgb.len() as u64,
                u64::from(img.width) * u64::from(img.height) * 3
            );
        }
    });
}

#[test]
fn fuzz_photo_decoding_for_previews() {
    // The decoders of the `image` crate and jpeg-decoder, through our limits and orientation.
    fuzz("picture", "photo", |name, bytes| {
        let format = format_of(name);
        if format == "heic" {
            return; // HEIC is decoded in the limited child process (see docs/media.md).
        }
        let _ = picture::dimensions(bytes, format);
        if let Ok(img) = picture::decode_photo(bytes, format, 64) {
            assert!(img.width() <= 64 && img.height() <= 64);
        }
    });
}

#[test]
fn fuzz_video_location_removal_and_the_box_walk() {
    fuzz("video_location", "video", |_, bytes| {
        match video_location::plan(&mut Cursor::new(bytes)) {
            video_location::VideoLocation::Removable(patches) => {
                let mut copy = bytes.to_vec();
                video_location::apply(&patches, 0, &mut copy);
                assert_eq!(copy.len(), bytes.len());
            }
            video_location::VideoLocation::None | video_location::VideoLocation::Unsure(_) => {}
        }
        if let Ok(moov) = isobmff::read_moov(&mut Cursor::new(bytes)) {
            let _ = isobmff::video_track(&moov);
        }
    });
}

#[test]
fn fuzz_document_page_counts() {
    fuzz("document", "document", |name, bytes| {
        let _ = document::page_count(format_of(name), &mut Cursor::new(bytes));
    });
}

#[test]
fn fuzz_the_desk_reading_a_units_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("材料包.zip");
    fuzz("desk", "bundle", |_, bytes| {
        std::fs::write(&path, bytes).unwrap();
        if let Ok(bundle) = baosong::core::desk::Bundle::open(&path) {
            let _ = bundle.listed();
            let _ = baosong::core::desk::verify::verify(&bundle, &baosong::core::work::Unwatched);
        }
        let _ = baosong::core::bundle::read_manifest(Cursor::new(bytes));
    });
}

#[test]
fn fuzz_the_desk_reading_the_intakes_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let zone = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    fuzz("audit", "audit", |_, bytes| {
        std::fs::write(
            dir.path().join(baosong::core::desk::audit::AUDIT_LOG),
            bytes,
        )
        .unwrap();
        for event in baosong::core::desk::audit::read(dir.path()) {
            let _ = event.line(zone);
        }
    });
}
