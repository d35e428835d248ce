//! The whole pipeline on arbitrary bytes: never a panic, always one well-formed record.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static ENGINE: LazyLock<vanban::Engine> = LazyLock::new(|| vanban::Engine::new().expect("embedded grammars"));

fuzz_target!(|data: &[u8]| {
    // convert_bytes catches panics into `internal.panic` records; the fuzzer must not see one.
    let record = ENGINE.convert_bytes("fuzz.bin", data);
    assert!(!record.diagnostics.iter().any(|d| d.code == "internal.panic"), "{:?}", record.diagnostics);
    let line = vanban::emit::to_json_line(&record);
    assert!(line.ends_with('\n'));
});
