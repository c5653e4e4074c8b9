//! The department's signature on a published campaign: Ed25519 over the template file's exact
//! bytes (prefixed with a context string, so a signature made for anything else never verifies
//! as a campaign). The public key is 64 hex digits, pinned by IT in `baosong.toml`
//! (`campaign_key = "…"`); the private key is the department's alone, in a file only its user can
//! read (docs/campaigns.md says how to back it up and what to do when it is lost).

use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::error::CoreError;
use crate::hashing::sha256_hex;
use crate::media::hex;

/// What every campaign signature covers before the template's bytes.
const CONTEXT: &[u8] = b"baosong-campaign-v1\n";

/// The file the department's private key is kept in, in the desk's data folder.
pub const KEY_FILE: &str = "campaign-signing-key";

/// The public half: what IT pins beside the exe and every clerk's app checks against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

/// Why a signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureProblem {
    #[error("no signature")]
    Missing,
    #[error("the signature is not 128 hex digits")]
    Malformed,
    #[error("the signature does not match the template and the key")]
    Mismatch,
}

impl SignatureProblem {
    pub fn user_message(&self) -> &'static str {
        match self {
            Self::Missing => "没有市妇联的签名",
            Self::Malformed => "签名格式不正确",
            Self::Mismatch => {
                "签名与模板内容或市妇联的公钥不符（模板可能被改动过，或不是市妇联发布的）"
            }
        }
    }
}

fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let s = s.trim();
    if s.len() != 2 * N || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

impl PublicKey {
    /// From the 64 hex digits IT pins.
    pub fn from_hex(s: &str) -> Result<Self, String> {
        let bytes = unhex::<32>(s).ok_or("市妇联公钥应为 64 位十六进制数字")?;
        VerifyingKey::from_bytes(&bytes)
            .map(Self)
            .map_err(|_| "市妇联公钥不是有效的 Ed25519 公钥".to_string())
    }

    pub fn to_hex(&self) -> String {
        hex(self.0.as_bytes())
    }

    /// A short name for it where people compare keys by eye: 16 hex digits of its sha256.
    pub fn fingerprint(&self) -> String {
        sha256_hex(self.0.as_bytes())[..16].to_string()
    }

    /// Does `signature` (128 hex digits) sign exactly these template bytes?
    pub fn verify(&self, template: &[u8], signature: &str) -> Result<(), SignatureProblem> {
        self.verify_as(CONTEXT, template, signature)
    }

    /// Does `signature` sign these bytes under `context` (what kind of document they are: a
    /// campaign's signature never verifies as a review's, nor the other way)?
    pub fn verify_as(
        &self,
        context: &[u8],
        bytes: &[u8],
        signature: &str,
    ) -> Result<(), SignatureProblem> {
        if signature.trim().is_empty() {
            return Err(SignatureProblem::Missing);
        }
        let raw = unhex::<64>(signature).ok_or(SignatureProblem::Malformed)?;
        let sig = Signature::from_bytes(&raw);
        self.0
            .verify_strict(&message(context, bytes), &sig)
            .map_err(|_| SignatureProblem::Mismatch)
    }
}

fn message(context: &[u8], bytes: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(context.len() + bytes.len());
    m.extend_from_slice(context);
    m.extend_from_slice(bytes);
    m
}

/// The department's private key.
pub struct DeskKey {
    key: SigningKey,
    path: PathBuf,
}

impl std::fmt::Debug for DeskKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret, not even in a log.
        write!(
            f,
            "DeskKey({}, {})",
            self.public().fingerprint(),
            self.path.display()
        )
    }
}

impl DeskKey {
    /// The key in `dir`, if there is one (never made here).
    pub fn load(dir: &Path) -> Result<Option<Self>, CoreError> {
        if dir.join(KEY_FILE).exists() {
            Self::load_or_create(dir).map(|(k, _)| Some(k))
        } else {
            Ok(None)
        }
    }

    /// The key in `dir`, made on first use (32 random bytes from the operating system, written
    /// to a file only this user can read). Returns whether it was made now.
    pub fn load_or_create(dir: &Path) -> Result<(Self, bool), CoreError> {
        let path = dir.join(KEY_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let seed = unhex::<32>(&text).ok_or_else(|| CoreError::KeyUnusable {
                    path: path.clone(),
                    detail: "not 64 hex digits".into(),
                })?;
                Ok((
                    Self {
                        key: SigningKey::from_bytes(&seed),
                        path,
                    },
                    false,
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut seed = [0u8; 32];
                getrandom::fill(&mut seed).map_err(|e| CoreError::KeyUnusable {
                    path: path.clone(),
                    detail: format!("no randomness from the system: {e}"),
                })?;
                std::fs::create_dir_all(dir).map_err(|e| CoreError::io("create", dir, e))?;
                crate::platform::write_private(&path, format!("{}\n", hex(&seed)).as_bytes())
                    .map_err(|e| CoreError::io("write", &path, e))?;
                Ok((
                    Self {
                        key: SigningKey::from_bytes(&seed),
                        path,
                    },
                    true,
                ))
            }
            Err(e) => Err(CoreError::io("read", &path, e)),
        }
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(self.key.verifying_key())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The signature (128 hex digits) of these template bytes.
    pub fn sign(&self, template: &[u8]) -> String {
        self.sign_as(CONTEXT, template)
    }

    /// The signature of these bytes under `context` (see [`PublicKey::verify_as`]).
    pub fn sign_as(&self, context: &[u8], bytes: &[u8]) -> String {
        hex(&self.key.sign(&message(context, bytes)).to_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_bytes_and_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let (key, made) = DeskKey::load_or_create(dir.path()).unwrap();
        assert!(made);
        let (again, made) = DeskKey::load_or_create(dir.path()).unwrap();
        assert!(!made);
        assert_eq!(key.public(), again.public());
        let public = PublicKey::from_hex(&key.public().to_hex()).unwrap();

        let template = "{\"id\":\"cq-sanba-2025\",\"version\":2}".as_bytes();
        let sig = key.sign(template);
        assert_eq!(public.verify(template, &sig), Ok(()));
        // One byte changed, another key, a cut signature, none.
        let mut changed = template.to_vec();
        changed[10] ^= 1;
        assert_eq!(
            public.verify(&changed, &sig),
            Err(SignatureProblem::Mismatch)
        );
        let other = tempfile::tempdir().unwrap();
        let (stranger, _) = DeskKey::load_or_create(other.path()).unwrap();
        assert_eq!(
            stranger.public().verify(template, &sig),
            Err(SignatureProblem::Mismatch)
        );
        assert_eq!(
            public.verify(template, &sig[..100]),
            Err(SignatureProblem::Malformed)
        );
        assert_eq!(public.verify(template, ""), Err(SignatureProblem::Missing));
        // The raw Ed25519 signature of the bytes alone (no context) is not a campaign signature.
        let raw = hex(&key.key.sign(template).to_bytes());
        assert_eq!(
            public.verify(template, &raw),
            Err(SignatureProblem::Mismatch)
        );
        // The secret is not in the Debug text.
        let secret = std::fs::read_to_string(dir.path().join(KEY_FILE)).unwrap();
        assert!(!format!("{key:?}").contains(secret.trim()));
    }

    #[test]
    fn the_key_file_is_the_users_alone_and_a_bad_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        DeskKey::load_or_create(dir.path()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(dir.path().join(KEY_FILE), "not a key").unwrap();
        let m = DeskKey::load_or_create(dir.path())
            .unwrap_err()
            .user_message();
        assert!(m.contains(KEY_FILE), "{m}");
        assert!(PublicKey::from_hex("abc").is_err());
        assert!(PublicKey::from_hex(&"zz".repeat(32)).is_err());
    }
}
