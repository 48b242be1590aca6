//! Parse and format speed on a generated project, against a floor: one pass over the
//! bytes that only counts lines (no parser can be faster than reading its input).
//! Sizes of 1,000, 10,000 and 100,000 lines show whether growth stays linear.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

mod support;

use support::{playbook, SHARED};

/// A project source of at least `lines` lines.
fn project(lines: usize) -> String {
    let mut out = SHARED.to_string();
    let mut i = 0;
    while out.lines().count() < lines {
        out.push_str(&playbook(i));
        i += 1;
    }
    out
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("syntax");
    group.sample_size(10);
    for lines in [1_000, 10_000, 100_000] {
        let source = project(lines);
        group.throughput(Throughput::Bytes(source.len() as u64));
        group.bench_with_input(BenchmarkId::new("baseline_count_lines", lines), &source, |b, s| {
            b.iter(|| black_box(s).bytes().filter(|&c| c == b'\n').count())
        });
        group.bench_with_input(BenchmarkId::new("parse", lines), &source, |b, s| {
            b.iter(|| play_compiler::parse(black_box(s)))
        });
        let parsed = play_compiler::parse(&source);
        assert!(parsed.diagnostics.is_empty(), "generated project must be valid");
        group.bench_with_input(BenchmarkId::new("format", lines), &source, |b, s| {
            b.iter(|| play_compiler::format::format_file(&parsed.file, black_box(s)))
        });
        group.bench_with_input(BenchmarkId::new("parse_and_format", lines), &source, |b, s| {
            b.iter(|| play_compiler::format::format_source(black_box(s)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
