//! Reading a `draft.json` of any schema this program knows, and bringing it to the current one.
//!
//! Every change of meaning in the draft format bumps `DRAFT_SCHEMA` and adds one step to
//! [`STEPS`] (from schema N to N+1, on the raw JSON), with a test of its own. A file from a newer
//! program is refused with [`DraftDefect::NewerSchema`], never guessed at.
//!
//! - 1 → 2: attachments (on activities, and `general` for 综合材料) and dates stored as
//!   `2024-03-08`. Schema 1 kept dates as typed (`2024/3/8`, `2024年3月8日`); they are rewritten
//!   in ISO form when understood, and kept as typed when not (the check page then asks).

use serde_json::Value;

use crate::dates;
use crate::draft::{DRAFT_SCHEMA, Draft};
use crate::error::DraftDefect;

/// `STEPS[n]` turns a schema `n + 1` value into schema `n + 2`.
type Step = fn(&mut Value);
const STEPS: [Step; (DRAFT_SCHEMA - 1) as usize] = [schema_1_to_2];

/// Schema 1 had no attachments and kept dates as typed.
fn schema_1_to_2(value: &mut Value) {
    // The campaign's year is not in the draft; a schema-1 date without a year was refused then,
    // so every date understood here has its year written out and this year is never used.
    const NO_YEAR: i32 = 0;
    let Some(answers) = value.get_mut("answers").and_then(Value::as_object_mut) else {
        return;
    };
    for answer in answers.values_mut() {
        let Some(activities) = answer.get_mut("activities").and_then(Value::as_array_mut) else {
            continue;
        };
        for activity in activities {
            let Some(date) = activity.get_mut("date") else {
                continue;
            };
            if let Some(iso) = date
                .as_str()
                .and_then(|d| dates::normalise(d, NO_YEAR))
                .filter(|d| !d.starts_with("0000"))
            {
                *date = Value::String(iso);
            }
        }
    }
}

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
        let d = draft_from_bytes(br#"{"schema": 2, "id": "d1", "added_by_a_later_version": true}"#)
            .unwrap();
        assert_eq!(d.id, "d1");
        assert!(d.answers.is_empty());
    }

    /// The example draft as it was published with schema 1 (kept as a fixture).
    const SCHEMA_1: &str = include_str!("../../../../tests/fixtures/draft-schema-1.json");

    #[test]
    fn schema_1_drafts_are_migrated() {
        let d = draft_from_bytes(SCHEMA_1.as_bytes()).unwrap();
        assert_eq!(d.schema, DRAFT_SCHEMA);
        assert_eq!(d.unit.unit, "渝中区妇联");
        assert!(d.general.is_empty());
        assert_eq!(d.next_attachment, 1);
        let dates: Vec<&str> = d
            .answers
            .values()
            .flat_map(|a| &a.activities)
            .map(|a| a.date.as_str())
            .collect();
        assert!(!dates.is_empty());
        assert!(
            dates
                .iter()
                .all(|d| d.len() == 10 && d.starts_with("2024-")),
            "{dates:?}"
        );
        assert!(
            d.answers
                .values()
                .flat_map(|a| &a.activities)
                .all(|a| a.attachments.is_empty())
        );

        // Dates typed in other ways become ISO; what is not a date stays as typed.
        let mut v: Value = serde_json::from_str(SCHEMA_1).unwrap();
        v["answers"]["p1-1"]["activities"][0]["date"] = "2024年3月8日".into();
        v["answers"]["p1-2"]["activities"][0]["date"] = "三月八日".into();
        let d = draft_from_bytes(v.to_string().as_bytes()).unwrap();
        assert_eq!(d.answer("p1-1").unwrap().activities[0].date, "2024-03-08");
        assert_eq!(d.answer("p1-2").unwrap().activities[0].date, "三月八日");
    }
}
