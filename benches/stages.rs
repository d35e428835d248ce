//! Throughput of every pipeline stage, and end to end, over the bundled seed fixtures.
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

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = stages
}
criterion_main!(benches);
