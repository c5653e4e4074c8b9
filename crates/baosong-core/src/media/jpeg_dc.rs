//! A JPEG decoded at 1/8 scale from its DC coefficients alone: one pixel per 8×8 block.
//!
//! A 256-px thumbnail of a 24-megapixel photo needs no more than that (6000×4000 gives 750×500).
//! The entropy-coded data must still be read through — each block's AC coefficients are decoded
//! to find where the next block starts — but nothing else is done with them: no dequantising, no
//! inverse DCT, no upsampling of full-size planes. This is the shrink-on-load libjpeg offers, cut
//! down to what a thumbnail needs, and it is where the thumbnails' speed comes from.
//!
//! Baseline and extended sequential Huffman JPEGs (SOF0, SOF1) with one (grey) or three
//! (YCbCr) components, any sampling, restart intervals. Anything else — progressive, arithmetic
//! coding, CMYK, RGB-coded — returns `None` and the general decoder is used.
//!
//! Its bytes are a clerk's photo, parsed in the app's own process: no index in this module can
//! panic (`clippy::indexing_slicing` is denied here; every read is a `get`), arithmetic on
//! coefficients saturates, a scan that runs past its data stops, and `tests/fuzz.rs` feeds it
//! mutated JPEGs on every test run (docs/media.md).
#![deny(clippy::indexing_slicing)]

/// A decoded image: `width × height` RGB pixels.
pub struct DcImage {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

#[derive(Clone, Copy, Default)]
struct Component {
    id: u8,
    h: usize,
    v: usize,
    quant: usize,
    dc_table: usize,
    ac_table: usize,
}

/// A Huffman table: a 9-bit lookup for the common short codes, canonical decoding beyond.
#[derive(Clone)]
struct Huffman {
    /// For each FAST_BITS prefix: (symbol, code length), length 0 when the code is longer.
    fast: Box<[(u8, u8); 1 << FAST_BITS]>,
    /// Canonical decoding: the largest code of each length (−1 if none), the first code, and
    /// the index of its symbol.
    max_code: [i32; 17],
    offset: [i32; 17],
    symbols: Vec<u8>,
}

const FAST_BITS: u32 = 10;

impl Huffman {
    /// The fast table's entry for the accumulator's top bits.
    #[inline]
    fn fast_entry(&self, acc: u64) -> (u8, u8) {
        self.fast
            .get((acc >> (64 - FAST_BITS)) as usize)
            .copied()
            .unwrap_or((0, 0))
    }

    fn new(counts: &[u8; 16], symbols: &[u8]) -> Option<Self> {
        let mut fast = Box::new([(0u8, 0u8); 1 << FAST_BITS]);
        let mut max_code = [-1i32; 17];
        let mut offset = [0i32; 17];
        let mut code = 0i32;
        let mut k = 0usize;
        for (len, &n) in (1..=16usize).zip(counts.iter()) {
            let n = usize::from(n);
            *offset.get_mut(len)? = k as i32 - code;
            for _ in 0..n {
                let symbol = *symbols.get(k)?;
                if len as u32 <= FAST_BITS {
                    let shift = FAST_BITS - len as u32;
                    let first = (code as usize) << shift;
                    for slot in fast.iter_mut().skip(first).take(1 << shift) {
                        *slot = (symbol, len as u8);
                    }
                }
                code += 1;
                k += 1;
            }
            if n > 0 {
                *max_code.get_mut(len)? = code - 1;
            }
            if code > (1 << len) {
                return None;
            }
            code <<= 1;
        }
        Some(Self {
            fast,
            max_code,
            offset,
            symbols: symbols.get(..k)?.to_vec(),
        })
    }
}

/// The entropy-coded bits, with byte stuffing (`FF 00`) undone; a marker ends them (zeros after).
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
    acc: u64,
    n: u32,
    at_marker: bool,
    /// Bytes of zeros fed since the data ran out or a marker came: a scan that keeps reading
    /// them is past its data (a header claiming far more blocks than there are), and stops.
    starved: u32,
}

/// Zero bytes a scan may read past its data (the last blocks' padding needs a few).
const MAX_STARVED: u32 = 1024;

impl<'a> Bits<'a> {
    fn new(data: &'a [u8], pos: usize) -> Self {
        Self {
            data,
            pos,
            acc: 0,
            n: 0,
            at_marker: false,
            starved: 0,
        }
    }

    #[inline]
    fn fill(&mut self) {
        // Fast path: eight bytes at once when none of them is 0xFF (no stuffing, no marker).
        if !self.at_marker
            && self.n <= 56
            && let Some(eight) = self.data.get(self.pos..self.pos + 8)
        {
            let word = u64::from_be_bytes(eight.try_into().unwrap_or([0xFF; 8]));
            let inverted = !word;
            let has_ff =
                (inverted.wrapping_sub(0x0101_0101_0101_0101) & !inverted & 0x8080_8080_8080_8080)
                    != 0;
            if !has_ff {
                let k = (64 - self.n) / 8;
                if k == 8 {
                    self.acc = word;
                } else {
                    self.acc |= (word >> (64 - 8 * k)) << (64 - self.n - 8 * k);
                }
                self.n += 8 * k;
                self.pos += k as usize;
                return;
            }
        }
        while self.n <= 56 {
            let mut byte = 0u8;
            let next = if self.at_marker {
                None
            } else {
                self.data.get(self.pos).copied()
            };
            if let Some(b) = next {
                byte = b;
                if byte == 0xFF {
                    match self.data.get(self.pos + 1) {
                        Some(0) => self.pos += 2,
                        _ => {
                            self.at_marker = true;
                            byte = 0;
                        }
                    }
                } else {
                    self.pos += 1;
                }
            } else {
                self.starved = self.starved.saturating_add(1);
            }
            self.acc |= u64::from(byte) << (56 - self.n);
            self.n += 8;
        }
    }

    #[inline]
    fn peek(&mut self, k: u32) -> u32 {
        if self.n < k {
            self.fill();
        }
        (self.acc >> (64 - k)) as u32
    }

    #[inline]
    fn skip(&mut self, k: u32) {
        if self.n < k {
            self.fill();
        }
        self.acc <<= k;
        self.n -= k;
    }

    #[inline]
    fn decode(&mut self, h: &Huffman) -> Option<u8> {
        if self.n < 16 {
            self.fill();
        }
        if self.starved > MAX_STARVED {
            return None;
        }
        let (symbol, len) = h.fast_entry(self.acc);
        if len > 0 {
            self.skip(u32::from(len));
            return Some(symbol);
        }
        let bits = self.peek(16) as i32;
        for len in (FAST_BITS as usize + 1)..=16 {
            let code = bits >> (16 - len);
            if code <= *h.max_code.get(len)? {
                self.skip(len as u32);
                let index = usize::try_from(code + h.offset.get(len)?).ok()?;
                return h.symbols.get(index).copied();
            }
        }
        None
    }

    /// A coefficient of `s` bits, sign-extended as JPEG does.
    #[inline]
    fn receive_extend(&mut self, s: u32) -> i32 {
        if s == 0 {
            return 0;
        }
        let v = self.peek(s) as i32;
        self.skip(s);
        if v < (1 << (s - 1)) {
            v - (1 << s) + 1
        } else {
            v
        }
    }

    /// After a restart interval: drop what is left of the byte and step over the RSTn marker.
    fn restart(&mut self) {
        self.acc = 0;
        self.n = 0;
        self.at_marker = false;
        self.starved = 0;
        while let Some(&[a, b]) = self.data.get(self.pos..self.pos + 2) {
            if a == 0xFF && (0xD0..=0xD7).contains(&b) {
                self.pos += 2;
                return;
            }
            self.pos += 1;
        }
    }
}

fn be16(b: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_be_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
    ])))
}

/// Decode `bytes` at 1/8 scale; `None` for what this decoder does not do.
pub fn decode_dc(bytes: &[u8]) -> Option<DcImage> {
    if bytes.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut dc_tables: [Option<Huffman>; 4] = [None, None, None, None];
    let mut ac_tables: [Option<Huffman>; 4] = [None, None, None, None];
    let mut quant = [1i32; 4];
    let mut components: Vec<Component> = Vec::new();
    let (mut width, mut height) = (0usize, 0usize);
    let mut restart_interval = 0usize;
    let mut i = 2;
    loop {
        while *bytes.get(i)? != 0xFF {
            i += 1;
        }
        while *bytes.get(i)? == 0xFF {
            i += 1;
        }
        let marker = *bytes.get(i)?;
        i += 1;
        if marker == 0xD8 || (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            continue;
        }
        if marker == 0xD9 {
            return None;
        }
        let len = be16(bytes, i)?;
        let seg = bytes.get(i + 2..i + len)?;
        match marker {
            0xC0 | 0xC1 => {
                if seg.first() != Some(&8) {
                    return None;
                }
                height = be16(seg, 1)?;
                width = be16(seg, 3)?;
                let n = usize::from(*seg.get(5)?);
                if !(n == 1 || n == 3) || width == 0 || height == 0 {
                    return None;
                }
                for c in 0..n {
                    let at = 6 + 3 * c;
                    let hv = *seg.get(at + 1)?;
                    let (h, v) = (usize::from(hv >> 4), usize::from(hv & 15));
                    if !(1..=4).contains(&h) || !(1..=4).contains(&v) {
                        return None;
                    }
                    components.push(Component {
                        id: *seg.get(at)?,
                        h,
                        v,
                        quant: usize::from(*seg.get(at + 2)? & 3),
                        ..Component::default()
                    });
                }
            }
            // Progressive, lossless, arithmetic coding…: the general decoder's job.
            0xC2 | 0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => return None,
            0xC4 => {
                let mut at = 0;
                while let Some(&spec) = seg.get(at) {
                    let (class, id) = (spec >> 4, usize::from(spec & 3));
                    let counts: [u8; 16] = seg.get(at + 1..at + 17)?.try_into().ok()?;
                    let total: usize = counts.iter().map(|c| usize::from(*c)).sum();
                    let symbols = seg.get(at + 17..at + 17 + total)?;
                    let table = Huffman::new(&counts, symbols)?;
                    let tables = if class == 0 {
                        &mut dc_tables
                    } else {
                        &mut ac_tables
                    };
                    *tables.get_mut(id)? = Some(table);
                    at += 17 + total;
                }
            }
            0xDB => {
                let mut at = 0;
                while let Some(&spec) = seg.get(at) {
                    let (precision, id) = (spec >> 4, usize::from(spec & 3));
                    *quant.get_mut(id)? = if precision == 0 {
                        i32::from(*seg.get(at + 1)?)
                    } else {
                        be16(seg, at + 1)? as i32
                    };
                    at += 1 + 64 * (usize::from(precision) + 1);
                }
            }
            0xDD => restart_interval = be16(seg, 0)?,
            // An Adobe segment saying the three components are RGB (transform 0).
            0xEE if seg.starts_with(b"Adobe")
                && seg.get(11) == Some(&0)
                && components.len() == 3 =>
            {
                return None;
            }
            0xDA => {
                let n = usize::from(*seg.first()?);
                if n != components.len() {
                    return None; // non-interleaved scans: the general decoder
                }
                for k in 0..n {
                    let id = *seg.get(1 + 2 * k)?;
                    let tables = *seg.get(2 + 2 * k)?;
                    let c = components.iter_mut().find(|c| c.id == id)?;
                    c.dc_table = usize::from(tables >> 4) & 3;
                    c.ac_table = usize::from(tables & 15) & 3;
                }
                let data_start = i + len;
                return scan(
                    bytes,
                    data_start,
                    &components,
                    &dc_tables,
                    &ac_tables,
                    &quant,
                    (width, height),
                    restart_interval,
                );
            }
            _ => {}
        }
        i += len;
    }
}

#[allow(clippy::too_many_arguments)]
fn scan(
    bytes: &[u8],
    start: usize,
    components: &[Component],
    dc_tables: &[Option<Huffman>; 4],
    ac_tables: &[Option<Huffman>; 4],
    quant: &[i32; 4],
    (width, height): (usize, usize),
    restart_interval: usize,
) -> Option<DcImage> {
    let hmax = components.iter().map(|c| c.h).max()?;
    let vmax = components.iter().map(|c| c.v).max()?;
    let single = components.len() == 1;
    // With one component the MCU is one block, whatever its sampling says.
    let (mcu_w, mcu_h) = if single { (8, 8) } else { (8 * hmax, 8 * vmax) };
    let mcus_x = width.div_ceil(mcu_w);
    let mcus_y = height.div_ceil(mcu_h);
    let blocks: Vec<(usize, usize)> = components
        .iter()
        .map(|c| if single { (1, 1) } else { (c.h, c.v) })
        .collect();
    // Each component's plane of DC values, at its block resolution.
    let mut planes: Vec<Vec<u8>> = blocks
        .iter()
        .map(|(h, v)| vec![0u8; mcus_x * h * mcus_y * v])
        .collect();
    let tables: Vec<(&Huffman, &Huffman, i32)> = components
        .iter()
        .map(|c| {
            Some((
                dc_tables.get(c.dc_table)?.as_ref()?,
                ac_tables.get(c.ac_table)?.as_ref()?,
                *quant.get(c.quant)?,
            ))
        })
        .collect::<Option<_>>()?;
    let mut bits = Bits::new(bytes, start);
    let mut pred = vec![0i32; components.len()];
    let total = mcus_x * mcus_y;
    for m in 0..total {
        if restart_interval > 0 && m > 0 && m % restart_interval == 0 {
            bits.restart();
            pred.iter_mut().for_each(|p| *p = 0);
        }
        let (mx, my) = (m % mcus_x, m / mcus_x);
        for (c, ((h, v), &(dc, ac, q))) in blocks.iter().zip(&tables).enumerate() {
            let stride = mcus_x * h;
            for by in 0..*v {
                for bx in 0..*h {
                    let s = bits.decode(dc)?;
                    if s > 15 {
                        return None;
                    }
                    let p = pred.get_mut(c)?;
                    *p = p.saturating_add(bits.receive_extend(u32::from(s)));
                    let dc_value = *p;
                    // The AC coefficients: read through, not kept.
                    let mut k = 1;
                    while k < 64 {
                        if bits.n < 32 {
                            bits.fill();
                        }
                        let (rs, len) = ac.fast_entry(bits.acc);
                        let rs = if len > 0 {
                            let s = u32::from(rs & 15);
                            // The code and the coefficient's bits in one step.
                            bits.acc <<= u32::from(len) + s;
                            bits.n -= u32::from(len) + s;
                            rs
                        } else {
                            let rs = bits.decode(ac)?;
                            bits.skip(u32::from(rs & 15));
                            rs
                        };
                        let (r, s) = (usize::from(rs >> 4), rs & 15);
                        if s == 0 {
                            if r == 15 {
                                k += 16;
                                continue;
                            }
                            break;
                        }
                        k += r + 1;
                    }
                    let value = dc_value.saturating_mul(q) / 8 + 128;
                    let x = mx * h + bx;
                    let y = my * v + by;
                    *planes.get_mut(c)?.get_mut(y * stride + x)? = value.clamp(0, 255) as u8;
                }
            }
        }
    }
    // To RGB, one pixel per 8×8 block of the finest-sampled component. Any component may be
    // the finest — usually luma, but a valid JPEG may sample chroma more finely (1×1 luma with
    // 2×2 chroma), or mix (2×1 luma, 1×2 chroma) — so each plane is read at its own scale.
    let (hm, vm) = if single { (1, 1) } else { (hmax, vmax) };
    let out_w = width.div_ceil(8);
    let out_h = height.div_ceil(8);
    let mut rgb = Vec::with_capacity(out_w * out_h * 3);
    let sample = |c: usize, x: usize, y: usize| -> Option<f32> {
        let (h, v) = *blocks.get(c)?;
        let (cx, cy) = (x * h / hm, y * v / vm);
        planes
            .get(c)?
            .get(cy * mcus_x * h + cx)
            .map(|p| f32::from(*p))
    };
    for y in 0..out_h {
        for x in 0..out_w {
            let l = sample(0, x, y)?;
            if single {
                let g = l as u8;
                rgb.extend_from_slice(&[g, g, g]);
                continue;
            }
            let (cb, cr) = (sample(1, x, y)? - 128.0, sample(2, x, y)? - 128.0);
            let px = |v: f32| v.round().clamp(0.0, 255.0) as u8;
            rgb.push(px(l + 1.402 * cr));
            rgb.push(px(l - 0.344_136 * cb - 0.714_136 * cr));
            rgb.push(px(l + 1.772 * cb));
        }
    }
    Some(DcImage {
        width: out_w as u32,
        height: out_h as u32,
        rgb,
    })
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn encode(
        w: u16,
        h: u16,
        sampling: jpeg_encoder::SamplingFactor,
        restart: Option<u16>,
    ) -> (Vec<u8>, Vec<u8>) {
        let mut rng = fastrand::Rng::with_seed(5);
        let rgb: Vec<u8> = (0..usize::from(w) * usize::from(h))
            .flat_map(|i| {
                let (x, y) = (i % usize::from(w), i / usize::from(w));
                let n = rng.u8(..16);
                [
                    (x * 255 / usize::from(w)) as u8 ^ n,
                    (y * 255 / usize::from(h)) as u8,
                    90 + n,
                ]
            })
            .collect();
        let mut out = Vec::new();
        let mut enc = jpeg_encoder::Encoder::new(&mut out, 90);
        enc.set_sampling_factor(sampling);
        if let Some(r) = restart {
            enc.set_restart_interval(r);
        }
        enc.encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        (out, rgb)
    }

    /// The general decoder at the same 1/8 scale, as the reference.
    fn reference(jpeg: &[u8]) -> (u32, u32, Vec<u8>) {
        let mut d = jpeg_decoder::Decoder::new(std::io::Cursor::new(jpeg));
        d.read_info().unwrap();
        let info = d.info().unwrap();
        let (w, h) = d
            .scale(info.width.div_ceil(8), info.height.div_ceil(8))
            .unwrap();
        let px = d.decode().unwrap();
        (u32::from(w), u32::from(h), px)
    }

    #[test]
    fn matches_the_general_decoder_at_one_eighth() {
        use jpeg_encoder::SamplingFactor as S;
        for (w, h, sampling, restart) in [
            (640, 480, S::F_2_2, None),
            (333, 250, S::F_2_1, Some(3)),
            (120, 90, S::F_1_1, None),
            (801, 403, S::F_2_2, Some(7)),
        ] {
            let (jpeg, _) = encode(w, h, sampling, restart);
            let ours = decode_dc(&jpeg).expect("baseline");
            let (rw, rh, theirs) = reference(&jpeg);
            assert_eq!((ours.width, ours.height), (rw, rh), "{w}×{h}");
            let diff: u64 = ours
                .rgb
                .iter()
                .zip(&theirs)
                .map(|(a, b)| u64::from(a.abs_diff(*b)))
                .sum();
            let mean = diff as f64 / theirs.len() as f64;
            assert!(
                mean < 3.0,
                "{w}×{h} {sampling:?}: mean difference {mean:.2}"
            );
        }
    }

    #[test]
    fn grey_jpegs_and_what_it_does_not_do() {
        let grey: Vec<u8> = (0..64 * 48).map(|i| (i % 256) as u8).collect();
        let mut out = Vec::new();
        jpeg_encoder::Encoder::new(&mut out, 90)
            .encode(&grey, 64, 48, jpeg_encoder::ColorType::Luma)
            .unwrap();
        let img = decode_dc(&out).unwrap();
        assert_eq!((img.width, img.height), (8, 6));
        let mut progressive = Vec::new();
        let mut enc = jpeg_encoder::Encoder::new(&mut progressive, 90);
        enc.set_progressive(true);
        enc.encode(&grey, 64, 48, jpeg_encoder::ColorType::Luma)
            .unwrap();
        assert!(
            decode_dc(&progressive).is_none(),
            "progressive: the general decoder"
        );
        for bad in [
            &out[..out.len() / 2],
            b"\xFF\xD8\xFF\xC0\x00".as_slice(),
            b"".as_slice(),
        ] {
            let _ = decode_dc(bad);
        }
    }

    #[test]
    fn a_header_claiming_far_more_blocks_than_the_data_holds_stops() {
        // 64×48 of data under a header saying 65535×65535 (found by the fuzz harness: the
        // decoder read padding for seconds): it stops past its data and declines.
        let (mut jpeg, _) = encode(64, 48, jpeg_encoder::SamplingFactor::R_4_2_0, None);
        let sof = jpeg
            .windows(2)
            .position(|w| w == [0xFF, 0xC0])
            .expect("a baseline frame header");
        jpeg[sof + 5..sof + 9].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
        assert!(decode_dc(&jpeg).is_none());
    }
}
