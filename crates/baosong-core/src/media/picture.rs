//! Pixels: photos decoded for a thumbnail or the viewer — no larger than asked, oriented as the
//! camera said, guarded against images that claim absurd sizes — and the colour conversion of
//! video frames.
//!
//! JPEG is decoded at a reduced scale inside the DCT (1/2, 1/4 or 1/8: a 24-megapixel photo
//! becomes a 0.4-megapixel one before a single full-size pixel exists); the orientation is
//! applied to the small result.

use std::io::Cursor;

use image::{DynamicImage, RgbaImage};

use super::exif;

/// An image claiming more pixels than this is not decoded (a 24-megapixel photo has 24 M; a
/// 30000×30000 PNG header claims 900 M and would need 3.6 GB).
pub const MAX_PIXELS: u64 = 200_000_000;
/// At most this much memory for one decode.
const MAX_ALLOC: u64 = 1024 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PictureError {
    #[error("image claims {width}×{height} pixels")]
    TooLarge { width: u32, height: u32 },
    #[error("cannot decode: {0}")]
    Corrupt(String),
    #[error("no preview for {0}")]
    Unsupported(String),
}

impl PictureError {
    /// Why there is no preview, for the tile (the file is still attached and sent).
    pub fn user_message(&self) -> String {
        match self {
            Self::TooLarge { width, height } => {
                format!("图片尺寸过大（{width}×{height}），无法预览，仍会随材料报送")
            }
            Self::Corrupt(_) => {
                "图片已损坏或不完整，无法预览；仍会随材料报送，建议用原图重新添加".into()
            }
            Self::Unsupported(_) => crate::media::NO_PREVIEW.into(),
        }
    }
}

/// Decode a photo so that its longer side is at most `max_side` (never enlarged), oriented.
pub fn decode_photo(bytes: &[u8], format: &str, max_side: u32) -> Result<RgbaImage, PictureError> {
    let orientation = exif::read_photo(format, bytes).orientation.unwrap_or(1);
    let image = match format {
        "jpeg" => decode_jpeg(bytes, max_side)?,
        "png" | "gif" | "webp" => decode_with_image(bytes, format)?,
        "heic" | "heif" => {
            // heic-rs applies the container's rotation and mirroring itself.
            return decode_heif(bytes).map(|i| shrink(i, max_side));
        }
        other => return Err(PictureError::Unsupported(other.to_string())),
    };
    let small = shrink(image, max_side);
    Ok(orient(small, orientation))
}

/// The size a photo is shown at (after its orientation), without decoding it.
pub fn dimensions(bytes: &[u8], format: &str) -> Option<(u32, u32)> {
    let (w, h) = match format {
        "jpeg" => {
            let mut d = jpeg_decoder::Decoder::new(Cursor::new(bytes));
            d.read_info().ok()?;
            let info = d.info()?;
            (u32::from(info.width), u32::from(info.height))
        }
        // The IHDR chunk comes first and says it plainly.
        "png" if bytes.get(12..16) == Some(b"IHDR") => {
            let be = |at: usize| {
                bytes
                    .get(at..at + 4)
                    .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            };
            (be(16)?, be(20)?)
        }
        "png" | "gif" | "webp" => {
            let mut reader = image::ImageReader::new(Cursor::new(bytes))
                .with_guessed_format()
                .ok()?;
            // Only the header is read: the size may be absurd, it is reported as it is.
            reader.no_limits();
            reader.into_dimensions().ok()?
        }
        "heic" | "heif" => {
            let info = heic_rs::probe(bytes).ok()?;
            return Some((info.width, info.height));
        }
        _ => return None,
    };
    let orientation = exif::read_photo(format, bytes).orientation.unwrap_or(1);
    Some(if orientation >= 5 { (h, w) } else { (w, h) })
}

fn check_size(width: u32, height: u32) -> Result<(), PictureError> {
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(PictureError::TooLarge { width, height });
    }
    Ok(())
}

fn decode_jpeg(bytes: &[u8], max_side: u32) -> Result<DynamicImage, PictureError> {
    let corrupt = |e: jpeg_decoder::Error| PictureError::Corrupt(e.to_string());
    let mut d = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    d.read_info().map_err(corrupt)?;
    let info = d
        .info()
        .ok_or_else(|| PictureError::Corrupt("no header".into()))?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    check_size(w, h)?;
    let long = w.max(h).max(1);
    // When one pixel per 8×8 block is enough (thumbnails of camera photos), the DC
    // coefficients alone give it, much faster (see `jpeg_dc`).
    if long.div_ceil(8) >= max_side
        && let Some(dc) = super::jpeg_dc::decode_dc(bytes)
        && let Some(image) = image::RgbImage::from_raw(dc.width, dc.height, dc.rgb)
    {
        return Ok(DynamicImage::ImageRgb8(image));
    }
    // Otherwise the smallest DCT scale that still covers `max_side` on the longer side.
    let (rw, rh) = (
        (u64::from(max_side) * u64::from(w) / u64::from(long)) as u32,
        (u64::from(max_side) * u64::from(h) / u64::from(long)) as u32,
    );
    let (sw, sh) = d
        .scale(
            rw.clamp(1, u32::from(u16::MAX)) as u16,
            rh.clamp(1, u32::from(u16::MAX)) as u16,
        )
        .map_err(corrupt)?;
    let pixels = d.decode().map_err(corrupt)?;
    let (sw, sh) = (u32::from(sw), u32::from(sh));
    let info = d
        .info()
        .ok_or_else(|| PictureError::Corrupt("no header".into()))?;
    let n = (sw * sh) as usize;
    let rgba: Vec<u8> = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => pixels.iter().flat_map(|&l| [l, l, l, 255]).collect(),
        jpeg_decoder::PixelFormat::L16 => pixels
            .chunks_exact(2)
            .flat_map(|c| [c[0], c[0], c[0], 255])
            .collect(),
        jpeg_decoder::PixelFormat::RGB24 => pixels
            .chunks_exact(3)
            .flat_map(|c| [c[0], c[1], c[2], 255])
            .collect(),
        jpeg_decoder::PixelFormat::CMYK32 => pixels
            .chunks_exact(4)
            .flat_map(|c| {
                // Adobe CMYK JPEGs are stored inverted.
                let k = u16::from(c[3]);
                let ch = |x: u8| ((u16::from(x) * k) / 255) as u8;
                [ch(c[0]), ch(c[1]), ch(c[2]), 255]
            })
            .collect(),
    };
    if rgba.len() != n * 4 {
        return Err(PictureError::Corrupt("pixel count".into()));
    }
    RgbaImage::from_raw(sw, sh, rgba)
        .map(DynamicImage::ImageRgba8)
        .ok_or_else(|| PictureError::Corrupt("pixel count".into()))
}

fn decode_with_image(bytes: &[u8], format: &str) -> Result<DynamicImage, PictureError> {
    let image_format = match format {
        "png" => image::ImageFormat::Png,
        "gif" => image::ImageFormat::Gif,
        _ => image::ImageFormat::WebP,
    };
    let reader = || image::ImageReader::with_format(Cursor::new(bytes), image_format);
    let (w, h) =
        dimensions(bytes, format).ok_or_else(|| PictureError::Corrupt("no header".into()))?;
    check_size(w, h)?;
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_ALLOC);
    let mut r = reader();
    r.limits(limits);
    r.decode().map_err(|e| PictureError::Corrupt(e.to_string()))
}

fn decode_heif(bytes: &[u8]) -> Result<RgbaImage, PictureError> {
    let options = heic_rs::DecodeOptions {
        layout: heic_rs::PixelLayout::Rgba8,
        max_pixels: Some(MAX_PIXELS),
        ..Default::default()
    };
    let image = heic_rs::decode(bytes, &options).map_err(|e| match e {
        heic_rs::Error::Unsupported(what) => PictureError::Unsupported(what.to_string()),
        other => PictureError::Corrupt(other.to_string()),
    })?;
    RgbaImage::from_raw(image.width, image.height, image.data)
        .ok_or_else(|| PictureError::Corrupt("pixel count".into()))
}

/// Scale down so that the longer side is at most `max_side`.
fn shrink(image: impl Into<DynamicImage>, max_side: u32) -> RgbaImage {
    let image: DynamicImage = image.into();
    let (w, h) = (image.width(), image.height());
    let long = w.max(h);
    if long <= max_side || max_side == 0 {
        return image.into_rgba8();
    }
    let nw = ((u64::from(w) * u64::from(max_side)) / u64::from(long)).max(1) as u32;
    let nh = ((u64::from(h) * u64::from(max_side)) / u64::from(long)).max(1) as u32;
    image::imageops::thumbnail(&image, nw, nh)
}

/// Turn and mirror as EXIF orientation 1–8 says.
pub fn orient(image: RgbaImage, orientation: u16) -> RgbaImage {
    use image::imageops as ops;
    match orientation {
        2 => ops::flip_horizontal(&image),
        3 => ops::rotate180(&image),
        4 => ops::flip_vertical(&image),
        5 => ops::flip_horizontal(&ops::rotate90(&image)),
        6 => ops::rotate90(&image),
        7 => ops::flip_horizontal(&ops::rotate270(&image)),
        8 => ops::rotate270(&image),
        _ => image,
    }
}

/// Turn clockwise by a multiple of 90 degrees (a video's track rotation).
pub fn rotate(image: RgbaImage, degrees: u16) -> RgbaImage {
    match degrees {
        90 => image::imageops::rotate90(&image),
        180 => image::imageops::rotate180(&image),
        270 => image::imageops::rotate270(&image),
        _ => image,
    }
}

/// An 8-bit 4:2:0 frame's planes.
pub struct Yuv420<'a> {
    pub width: usize,
    pub height: usize,
    pub y: &'a [u8],
    pub u: &'a [u8],
    pub v: &'a [u8],
    pub y_stride: usize,
    pub c_stride: usize,
}

/// Limited-range YCbCr to RGB: BT.709 for HD pictures, BT.601 below.
fn ycbcr(y: f32, cb: f32, cr: f32, hd: bool) -> [u8; 4] {
    let y = (y - 16.0) * (255.0 / 219.0);
    let (cb, cr) = (
        (cb - 128.0) * (255.0 / 224.0),
        (cr - 128.0) * (255.0 / 224.0),
    );
    let (r, g, b) = if hd {
        (
            y + 1.5748 * cr,
            y - 0.1873 * cb - 0.4681 * cr,
            y + 1.8556 * cb,
        )
    } else {
        (
            y + 1.402 * cr,
            y - 0.3441 * cb - 0.7141 * cr,
            y + 1.772 * cb,
        )
    };
    let c = |v: f32| v.round().clamp(0.0, 255.0) as u8;
    [c(r), c(g), c(b), 255]
}

pub fn yuv420_to_rgba(f: &Yuv420<'_>) -> Option<RgbaImage> {
    let (w, h) = (f.width, f.height);
    let hd = h >= 720;
    if f.y.len() < f.y_stride * h || f.u.len() < f.c_stride * h.div_ceil(2) || w == 0 || h == 0 {
        return None;
    }
    let mut out = Vec::with_capacity(w * h * 4);
    for row in 0..h {
        for col in 0..w {
            let y = f.y[row * f.y_stride + col];
            let ci = (row / 2) * f.c_stride + col / 2;
            let (u, v) = (*f.u.get(ci)?, *f.v.get(ci)?);
            out.extend_from_slice(&ycbcr(f32::from(y), f32::from(u), f32::from(v), hd));
        }
    }
    RgbaImage::from_raw(w as u32, h as u32, out)
}

/// A frame from heic-rs's HEVC decoder (8 or 10 bit, 4:2:0, 4:2:2, 4:4:4 or grey) to RGBA.
pub fn hevc_frame_to_rgba(f: &heic_rs::hevc::Frame) -> Option<RgbaImage> {
    use heic_rs::ChromaFormat as C;
    let (w, h) = (f.width as usize, f.height as usize);
    let shift = u32::from(f.bit_depth.saturating_sub(8));
    let sample = |plane: &[u16], at: usize| plane.get(at).map(|v| f32::from(*v >> shift));
    let (ys, cs) = (f.y_stride as usize, f.c_stride as usize);
    let hd = h >= 720;
    let mut out = Vec::with_capacity(w * h * 4);
    for row in 0..h {
        for col in 0..w {
            let y = sample(&f.y, row * ys + col)?;
            let ci = match f.chroma {
                C::Yuv420 => Some((row / 2) * cs + col / 2),
                C::Yuv422 => Some(row * cs + col / 2),
                C::Yuv444 => Some(row * cs + col),
                C::Monochrome => None,
            };
            let px = match ci {
                Some(ci) => ycbcr(y, sample(&f.cb, ci)?, sample(&f.cr, ci)?, hd),
                None => ycbcr(y, 128.0, 128.0, hd),
            };
            out.extend_from_slice(&px);
        }
    }
    RgbaImage::from_raw(w as u32, h as u32, out)
}

/// A PNG of an image (thumbnails in the cache, `inspect --thumbnail`).
pub fn png_bytes(image: &RgbaImage) -> Result<Vec<u8>, image::ImageError> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png)?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3×2 image with a distinct colour in each pixel.
    fn marker() -> RgbaImage {
        RgbaImage::from_fn(3, 2, |x, y| {
            image::Rgba([(x * 80) as u8, (y * 200) as u8, 7, 255])
        })
    }

    #[test]
    fn the_eight_orientations_map_pixels_as_exif_says() {
        // Where the stored top-left pixel (0,0) ends up, and the shown size.
        let cases = [
            (1, (0, 0), (3, 2)),
            (2, (2, 0), (3, 2)),
            (3, (2, 1), (3, 2)),
            (4, (0, 1), (3, 2)),
            (5, (0, 0), (2, 3)),
            (6, (1, 0), (2, 3)),
            (7, (1, 2), (2, 3)),
            (8, (0, 2), (2, 3)),
        ];
        let top_left = *marker().get_pixel(0, 0);
        for (o, (x, y), (w, h)) in cases {
            let shown = orient(marker(), o);
            assert_eq!((shown.width(), shown.height()), (w, h), "orientation {o}");
            assert_eq!(*shown.get_pixel(x, y), top_left, "orientation {o}");
        }
    }

    #[test]
    fn a_png_claiming_thirty_thousand_pixels_square_is_not_decoded() {
        // An IHDR for 30000×30000 and nothing else.
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&30000u32.to_be_bytes());
        ihdr.extend_from_slice(&30000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        png.extend_from_slice(&13u32.to_be_bytes());
        png.extend_from_slice(&ihdr);
        png.extend_from_slice(&crc32fast::hash(&ihdr).to_be_bytes());
        let e = decode_photo(&png, "png", 256).unwrap_err();
        assert_eq!(
            e,
            PictureError::TooLarge {
                width: 30000,
                height: 30000
            }
        );
        assert!(e.user_message().contains("无法预览"));
    }

    #[test]
    fn jpegs_come_out_no_larger_than_asked() {
        let rgb: Vec<u8> = (0..1600 * 1200)
            .flat_map(|i| [(i % 256) as u8, 0, 0])
            .collect();
        let mut jpg = Vec::new();
        jpeg_encoder::Encoder::new(&mut jpg, 85)
            .encode(&rgb, 1600, 1200, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        let small = decode_photo(&jpg, "jpeg", 256).unwrap();
        assert_eq!((small.width(), small.height()), (256, 192));
        assert_eq!(dimensions(&jpg, "jpeg"), Some((1600, 1200)));
        for bad in [&jpg[..200], b"\xFF\xD8\xFF\xE0garbage".as_slice()] {
            assert!(decode_photo(bad, "jpeg", 256).is_err());
        }
    }
}
