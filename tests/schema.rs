//! The committed JSON Schema (`schema/record.schema.json`) is generated from the record types.
//!
//! This test regenerates it and fails when the committed file is stale. To bless a change to the
//! record types:
//!
//! ```text
//! VANBAN_BLESS=1 cargo test --test schema
//! ```
//!
//! (or `cargo run -- schema > schema/record.schema.json`). It also checks that real records
//! validate against the schema, with a small validator for the keywords schemars emits.

use std::path::{Path, PathBuf};

use serde_json::Value;
use vanban::{Engine, Record};

fn committed_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schema").join("record.schema.json")
}

/// The schema exactly as `vanban schema` prints it.
fn generated_text() -> String {
    let mut text = serde_json::to_string_pretty(&vanban::record_schema()).expect("a schema serializes");
    text.push('\n');
    text
}

#[test]
fn committed_schema_is_up_to_date() {
    let path = committed_path();
    let generated = generated_text();
    if std::env::var_os("VANBAN_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write schema/record.schema.json");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "schema/record.schema.json is stale: the record types changed.\n\
         Regenerate it with `VANBAN_BLESS=1 cargo test --test schema` \
         (or `cargo run -- schema > schema/record.schema.json`), review the diff, and commit it."
    );
}

#[test]
fn schema_describes_a_record_and_every_key_is_required() {
    let schema = vanban::record_schema();
    assert_eq!(schema["title"], "Record");
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    for key in ["schema", "source", "status", "diagnostics", "text", "documents"] {
        assert!(schema["properties"].get(key).is_some(), "Record has no property `{key}`");
    }
    // Absent things are null or [], never missing keys (SPEC §2): every object lists all its
    // properties as required.
    let mut objects = vec![("Record".to_owned(), &schema)];
    if let Some(defs) = schema["$defs"].as_object() {
        objects.extend(defs.iter().map(|(name, def)| (name.clone(), def)));
    }
    for (name, object) in objects {
        let Some(props) = object.get("properties").and_then(Value::as_object) else { continue };
        let mut properties: Vec<&str> = props.keys().map(String::as_str).collect();
        let mut required: Vec<&str> =
            object["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        properties.sort_unstable();
        required.sort_unstable();
        assert_eq!(properties, required, "{name}: every key must be required");
    }
}

#[test]
fn records_validate_against_the_schema() {
    let schema = vanban::record_schema();
    let engine = Engine::new().expect("embedded grammars are valid");
    let plan = "ỦY BAN NHÂN DÂN\nTỈNH HÀ TĨNH\n\nSố: 525/KH-UBND\n\nHà Tĩnh, ngày 29 tháng 12 năm 2022\n\n\
                KẾ HOẠCH\nChuyển đổi số tỉnh Hà Tĩnh năm 2023\n\nI. MỤC TIÊU\n\n1. Mục tiêu chung\n\n\
                Nâng cao nhận thức; 100% cơ quan được kết nối.\n\nII. NHIỆM VỤ\n\n1. Sở Tài chính: bố trí \
                kinh phí.\n\nTổng kinh phí: 185,083 tỷ đồng.\n";
    let mut records: Vec<Record> = vec![
        engine.convert_bytes("plan.txt", plan.as_bytes()),
        engine.clone().keep_text(false).convert_bytes("plan.txt", plan.as_bytes()),
        engine.convert_bytes("empty.txt", b""),
        engine.convert_bytes("ff.bin", &[0xff; 64]),
        engine.convert_bytes("fake.pdf", b"%PDF-1.4\n1 0 obj\n"),
        engine.convert_file(Path::new("/nonexistent/vanban/input.txt")),
    ];
    // Every fixture, when there are fixtures.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    if fixtures.is_dir() {
        engine.convert_all(&vanban::expand_paths(&[fixtures]), |r| records.push(r));
    }
    for record in &records {
        let value = serde_json::to_value(record).expect("a record serializes");
        let mut errors = Vec::new();
        validate(&schema, &schema, &value, "$", &mut errors);
        assert!(
            errors.is_empty(),
            "{}: the record does not fit the schema:\n{}",
            record.source.path,
            errors.join("\n")
        );
    }
}

#[test]
fn validator_catches_misfits() {
    let schema = vanban::record_schema();
    let engine = Engine::new().expect("embedded grammars are valid");
    let mut value = serde_json::to_value(engine.convert_bytes("empty.txt", b"")).expect("serializes");
    value["status"] = Value::from("fine");
    value["source"].as_object_mut().expect("object").remove("sha256");
    value["extra"] = Value::from(1);
    let mut errors = Vec::new();
    validate(&schema, &schema, &value, "$", &mut errors);
    assert!(errors.iter().any(|e| e.starts_with("$.status")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("sha256")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("extra")), "{errors:?}");
}

/// Check `value` against `schema` (a node of `root`), pushing one message per misfit to `errors`.
/// Covers the keywords schemars emits for plain structs and enums; an unknown keyword fails loudly
/// so the validator is extended rather than silently permissive. Unknown object keys are misfits
/// too: the output has exactly the documented keys.
fn validate(root: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    let Some(schema) = schema.as_object() else {
        if schema == &Value::Bool(false) {
            errors.push(format!("{at}: no value allowed"));
        }
        return;
    };
    for (keyword, rule) in schema {
        match keyword.as_str() {
            "$schema" | "$defs" | "title" | "description" | "format" | "required" => {}
            "$ref" => {
                let pointer = rule.as_str().and_then(|r| r.strip_prefix('#')).expect("local $ref");
                let target = root.pointer(pointer).unwrap_or_else(|| panic!("dangling $ref {pointer}"));
                validate(root, target, value, at, errors);
            }
            "type" => {
                let types: Vec<&str> = match rule {
                    Value::String(t) => vec![t.as_str()],
                    Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                    _ => panic!("bad type keyword at {at}"),
                };
                if !types.iter().any(|t| has_type(value, t)) {
                    errors.push(format!("{at}: expected {}, found {value}", types.join(" or ")));
                }
            }
            "const" if value != rule => errors.push(format!("{at}: expected {rule}, found {value}")),
            "const" => {}
            "enum" if !rule.as_array().is_some_and(|vs| vs.contains(value)) => {
                errors.push(format!("{at}: {value} is not one of {rule}"));
            }
            "enum" => {}
            "minimum" => {
                if let (Some(min), Some(n)) = (rule.as_f64(), value.as_f64())
                    && n < min
                {
                    errors.push(format!("{at}: {n} is below {min}"));
                }
            }
            "anyOf" | "oneOf" => {
                let branches = rule.as_array().expect("anyOf/oneOf is an array");
                let fitting = branches
                    .iter()
                    .filter(|b| {
                        let mut e = Vec::new();
                        validate(root, b, value, at, &mut e);
                        e.is_empty()
                    })
                    .count();
                let ok = if keyword == "oneOf" { fitting == 1 } else { fitting >= 1 };
                if !ok {
                    errors.push(format!("{at}: {value} fits {fitting} of the {keyword} branches"));
                }
            }
            "allOf" => {
                for branch in rule.as_array().expect("allOf is an array") {
                    validate(root, branch, value, at, errors);
                }
            }
            "items" => {
                for (i, item) in value.as_array().into_iter().flatten().enumerate() {
                    validate(root, rule, item, &format!("{at}[{i}]"), errors);
                }
            }
            "properties" => {
                let (Some(props), Some(object)) = (rule.as_object(), value.as_object()) else { continue };
                for (key, item) in object {
                    match props.get(key) {
                        Some(sub) => validate(root, sub, item, &format!("{at}.{key}"), errors),
                        None => errors.push(format!("{at}: unexpected key `{key}`")),
                    }
                }
                let required = schema.get("required").and_then(Value::as_array).into_iter().flatten();
                for key in required.filter_map(Value::as_str) {
                    if !object.contains_key(key) {
                        errors.push(format!("{at}: missing key `{key}`"));
                    }
                }
            }
            other => panic!("the test validator does not know the keyword `{other}` (at {at}); extend it"),
        }
    }
}

fn has_type(value: &Value, ty: &str) -> bool {
    match ty {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        other => panic!("unknown JSON type `{other}`"),
    }
}
