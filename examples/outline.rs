//! Print the documents and section outline vanban finds in a file.
//!
//! `cargo run --example outline -- FILE`
#![allow(clippy::print_stdout, clippy::print_stderr)]

use vanban::{Engine, Section};

fn print(sections: &[Section]) {
    for s in sections {
        let title: String = s.title.chars().take(70).collect();
        println!("{:indent$}{} [{}] {}", "", s.path, s.scheme, title, indent = 2 * s.level as usize);
        print(&s.children);
    }
}

fn main() {
    let engine = Engine::new().expect("embedded grammars are valid");
    for path in std::env::args().skip(1) {
        let record = engine.convert_file(std::path::Path::new(&path));
        println!("== {path}: {:?} {:?}", record.status, record.source.format);
        for d in &record.diagnostics {
            println!("  ! {} {}", d.code, d.message);
        }
        for doc in &record.documents {
            println!("# {} {:?} {:?}", doc.kind, doc.kind_label, doc.span);
            print(&doc.sections);
        }
    }
}
