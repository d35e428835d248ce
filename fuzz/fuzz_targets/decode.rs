//! The decoders alone (PDF, DOCX, HTML, .doc, RTF, legacy encodings) on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for hint in ["x.txt", "x.pdf", "x.docx", "x.doc", "x.rtf", "x.html"] {
        let _ = vanban::decode::decode(data, hint);
    }
});
