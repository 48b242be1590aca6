//! Type-checking speed on generated projects of 100, 1,000 and 10,000 playbooks (about
//! 50 lines each), against parsing alone as the baseline: checking should cost a small
//! multiple of parsing and grow linearly with the project.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

mod support;

use support::{playbook, SHARED};

/// A project of `n` playbooks spread over files of 100 playbooks each.
fn project(n: usize) -> Vec<(String, String)> {
    let mut files = vec![("shared.play".to_string(), SHARED.to_string())];
    for chunk in 0..n.div_ceil(100) {
        let text: String = (chunk * 100..(chunk * 100 + 100).min(n)).map(playbook).collect();
        files.push((format!("playbooks_{chunk}.play"), text));
    }
    files
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    for n in [100, 1_000, 10_000] {
        let files = project(n);
        let sources: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let lines: usize = files.iter().map(|(_, t)| t.lines().count()).sum();
        let diagnostics: usize = play_compiler::check::check_sources(&sources).iter().map(Vec::len).sum();
        assert_eq!(diagnostics, 0, "the generated project must check clean");
        group.throughput(Throughput::Elements(lines as u64));
        group.bench_with_input(BenchmarkId::new("baseline_parse_only", n), &sources, |b, s| {
            b.iter(|| s.iter().map(|(_, src)| play_compiler::parse(black_box(src)).diagnostics.len()).sum::<usize>())
        });
        group.bench_with_input(BenchmarkId::new("parse_and_check", n), &sources, |b, s| {
            b.iter(|| play_compiler::check::check_sources(black_box(s)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
