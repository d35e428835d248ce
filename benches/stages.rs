//! Throughput of every pipeline stage, and end to end, over the bundled seed fixtures; how the
//! cost scales with input size and with threads; and the fixed cost of start-up.
//!
//! `cargo bench --bench stages` reports MB/s per stage (criterion, `Throughput::Bytes` of the
//! stage's input). Compare against a saved baseline with
//! `cargo bench --bench stages -- --save-baseline main` and later `-- --baseline main`.
#![allow(missing_docs)] // criterion's macros generate undocumented items

use std::hint::black_box;
use std::path::Path;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use vanban::{Engine, decode, emit, extract, layout, normalize, segment};

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/seeds");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files.into_iter().map(|p| (p.to_string_lossy().into_owned(), std::fs::read(&p).unwrap())).collect()
}

fn stages(c: &mut Criterion) {
    let engine = Engine::new().unwrap();
    let g = engine.grammar();
    let files = corpus();
    let total: u64 = files.iter().map(|(_, b)| b.len() as u64).sum();

    let decoded: Vec<_> = files.iter().map(|(p, b)| decode::decode(b, p).unwrap()).collect();
    let canonical: Vec<_> = decoded.iter().map(|d| normalize::normalize(&d.text, d.format, g)).collect();
    let laid: Vec<_> = canonical.iter().map(|c| layout::layout(&c.text, g)).collect();
    let skeletons: Vec<_> = laid.iter().map(|l| segment::segment(l, g)).collect();
    let records: Vec<_> = files.iter().map(|(p, b)| engine.convert_bytes(p, b)).collect();

    let mut group = c.benchmark_group("stage");
    group.throughput(Throughput::Bytes(total));
    group.bench_function("decode", |b| {
        b.iter(|| {
            files
                .iter()
                .map(|(p, bytes)| decode::decode(black_box(bytes), p).map_or(0, |d| d.text.len()))
                .sum::<usize>()
        })
    });
    group.bench_function("normalize", |b| {
        b.iter(|| {
            decoded.iter().map(|d| normalize::normalize(black_box(&d.text), d.format, g).text.len()).sum::<usize>()
        })
    });
    group.bench_function("layout", |b| {
        b.iter(|| canonical.iter().map(|c| layout::layout(black_box(&c.text), g).lines.len()).sum::<usize>())
    });
    group.bench_function("segment", |b| {
        b.iter(|| laid.iter().map(|l| segment::segment(black_box(l), g).documents.len()).sum::<usize>())
    });
    group.bench_function("extract", |b| {
        // The skeletons are moved into the documents: each run gets copies, made untimed.
        b.iter_batched(
            || skeletons.clone(),
            |skeletons| {
                laid.iter().zip(skeletons).map(|(l, s)| extract::extract(black_box(l), s, g).len()).sum::<usize>()
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("emit", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            out.clear();
            records.iter().for_each(|r| emit::write_json_line(black_box(r), &mut out));
            out.len()
        })
    });
    group.bench_function("end_to_end", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            out.clear();
            for (p, bytes) in &files {
                emit::write_json_line(&engine.convert_bytes(p, black_box(bytes)), &mut out);
            }
            out.len()
        })
    });
    group.finish();
}

/// One text of about `bytes` bytes: the seeds, one after another, as many times as it takes.
fn stream_of(files: &[(String, Vec<u8>)], bytes: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes + 64 * 1024);
    while out.len() < bytes {
        for (_, b) in files {
            out.extend_from_slice(b);
            out.extend_from_slice(b"\n\n");
        }
    }
    out
}

/// Cost against input size: one text of 0.1, 1 and 4 MB end to end, and one paragraph and one
/// table of 0.25 and 1 MB. Linear cost shows as the same MB/s at every size.
fn size_scaling(c: &mut Criterion) {
    let engine = Engine::new().unwrap();
    let files = corpus();
    let mut group = c.benchmark_group("size");
    for mb in [0.1, 1.0, 4.0] {
        let text = stream_of(&files, (mb * 1e6) as usize);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("{mb}MB"), |b| {
            let mut out = Vec::new();
            b.iter(|| {
                out.clear();
                emit::write_json_line(&engine.convert_bytes("big.txt", black_box(&text)), &mut out);
                out.len()
            })
        });
    }
    // The worst case for layout: one hard-wrapped paragraph of lower-case lines (every line
    // joins the one before), with words the letterhead patterns look for. Its cost was once
    // its length squared.
    for mb in [0.25, 1.0] {
        let line = "các cơ quan đơn vị của cộng đồng độc lập thực hiện nhiệm vụ được giao theo kế hoạch\n";
        let text = line.repeat((mb * 1e6) as usize / line.len());
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("paragraph/{mb}MB"), |b| {
            b.iter(|| engine.convert_bytes("paragraph.txt", black_box(text.as_bytes())).documents.len())
        });
    }
    // The worst case for tables: one table whose every other row is a subtotal ("Cộng"). Its
    // cost was once its length squared too.
    for mb in [0.25, 1.0] {
        let rows = "| 1 | Sở Nội vụ | 1.500 |\n| Cộng | | 1.500 |\n";
        let text =
            format!("| STT | Đơn vị | Kinh phí |\n|---|---|---|\n{}", rows.repeat((mb * 1e6) as usize / rows.len()));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("subtotals/{mb}MB"), |b| {
            b.iter(|| engine.convert_bytes("table.md", black_box(text.as_bytes())).documents.len())
        });
    }
    group.finish();
}

/// Cost against threads: 100 files (the seeds, twenty times over) through `convert_all` on
/// pools of 1 and 2 threads. Perfect scaling shows as twice the MB/s on two.
fn thread_scaling(c: &mut Criterion) {
    let engine = Engine::new().unwrap();
    let files = corpus();
    let dir = tempfile::tempdir().unwrap();
    let mut inputs = Vec::new();
    let mut total = 0;
    for i in 0..20 {
        for (p, bytes) in &files {
            let name = Path::new(p).file_name().unwrap().to_string_lossy();
            let path = dir.path().join(format!("{i:02}_{name}"));
            std::fs::write(&path, bytes).unwrap();
            inputs.push(vanban::Input::file(path));
            total += bytes.len() as u64;
        }
    }
    let mut group = c.benchmark_group("threads");
    group.throughput(Throughput::Bytes(total));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        group.bench_function(format!("{threads}"), |b| {
            b.iter(|| {
                let mut bytes = 0;
                let mut out = Vec::new();
                pool.install(|| {
                    engine.convert_all(&inputs, |r| {
                        out.clear();
                        emit::write_json_line(&r, &mut out);
                        bytes += out.len();
                    })
                });
                bytes
            })
        });
    }
    group.finish();
}

/// The fixed cost of every run: compiling the embedded grammars (what `Engine::new` does), on
/// pools of 1 and 2 threads (the files compile side by side).
fn startup(c: &mut Criterion) {
    let mut group = c.benchmark_group("startup");
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        group.bench_function(format!("grammar/{threads}"), |b| {
            b.iter(|| pool.install(|| vanban::Grammar::embedded().unwrap()))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = stages
}
criterion_group! {
    name = scaling;
    config = Criterion::default().sample_size(10);
    targets = size_scaling, thread_scaling, startup
}
criterion_main!(benches, scaling);
