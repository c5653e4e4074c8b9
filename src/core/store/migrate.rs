//! Reading a `draft.json` of any schema this program knows, and bringing it to the current one.
//!
//! Every change of meaning in the draft format bumps `DRAFT_SCHEMA` and adds one step to
//! [`STEPS`] (from schema N to N+1, on the raw JSON), with a test of its own. Schema 1 is the
//! first published format, so there are no steps yet. A file from a newer program is refused
//! with [`DraftDefect::NewerSchema`], never guessed at.

use serde_json::Value;

use crate::core::draft::{DRAFT_SCHEMA, Draft};
use crate::core::error::DraftDefect;

/// `STEPS[n]` turns a schema `n + 1` value into schema `n + 2`.
type Step = fn(&mut Value);
const STEPS: [Step; (DRAFT_SCHEMA - 1) as usize] = [];

/// Parse a draft file's bytes, migrating older schemas.
pub fn draft_from_bytes(bytes: &[u8]) -> Result<Draft, DraftDefect> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(DraftDefect::Empty);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| DraftDefect::NotText)?;
    if text.contains('\0') {
        return Err(DraftDefect::NotText);
    }
    let text = text.trim_start_matches('\u{feff}');
    let mut value: Value = serde_json::from_str(text).map_err(|e| {
        if e.is_eof() {
            DraftDefect::Truncated(e.to_string())
        } else {
            DraftDefect::Invalid(e.to_string())
        }
    })?;
    if !value.is_object() {
        return Err(DraftDefect::Invalid(
            "the top level is not an object".into(),
        ));
    }
    let found = match value.get("schema").map(Value::as_u64) {
        Some(Some(s)) => u32::try_from(s).unwrap_or(u32::MAX),
        _ => return Err(DraftDefect::Invalid("no schema number".into())),
    };
    if found > DRAFT_SCHEMA {
        return Err(DraftDefect::NewerSchema {
            found,
            supported: DRAFT_SCHEMA,
        });
    }
    if found == 0 {
        return Err(DraftDefect::Invalid("schema 0 does not exist".into()));
    }
    for step in STEPS.iter().skip(found as usize - 1) {
        step(&mut value);
    }
    value["schema"] = DRAFT_SCHEMA.into();
    serde_json::from_value(value).map_err(|e| DraftDefect::Invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_files_are_named_by_their_defect() {
        assert_eq!(draft_from_bytes(b""), Err(DraftDefect::Empty));
        assert_eq!(draft_from_bytes(b"  \n"), Err(DraftDefect::Empty));
        assert_eq!(
            draft_from_bytes(&[0x89, b'P', b'N', b'G', 0, 0xff]),
            Err(DraftDefect::NotText)
        );
        assert!(matches!(
            draft_from_bytes(br#"{"schema": 1, "id": "d"#),
            Err(DraftDefect::Truncated(_))
        ));
        assert!(matches!(
            draft_from_bytes(b"not json"),
            Err(DraftDefect::Invalid(_))
        ));
        assert!(matches!(
            draft_from_bytes(b"[1,2]"),
            Err(DraftDefect::Invalid(_))
        ));
        assert!(matches!(
            draft_from_bytes(br#"{"id": "d"}"#),
            Err(DraftDefect::Invalid(_))
        ));
        assert_eq!(
            draft_from_bytes(br#"{"schema": 7, "id": "d"}"#),
            Err(DraftDefect::NewerSchema {
                found: 7,
                supported: DRAFT_SCHEMA
            })
        );
    }

    #[test]
    fn unknown_fields_and_missing_fields_are_tolerated() {
        let d = draft_from_bytes(br#"{"schema": 1, "id": "d1", "added_by_a_later_version": true}"#)
            .unwrap();
        assert_eq!(d.id, "d1");
        assert!(d.answers.is_empty());
    }
}
