//! How many three-page letters one thread renders per second, and with all cores.
//! `cargo run --release -p banli-pdf --example render_rate`

use banli_pdf::{bench_letter, FontSource, Renderer};
use std::time::Instant;

fn main() {
    let t = Instant::now();
    let r = Renderer::load(FontSource::default()).expect("fonts");
    println!(
        "fonts loaded in {:.0} ms ({})",
        t.elapsed().as_secs_f64() * 1e3,
        r.faces()
    );
    // Every letter differs (number, addressee, a sentence), as in real use: typst's memo
    // cache must not turn the benchmark into a replay of one letter.
    let letter = |i: usize| {
        let mut l = bench_letter();
        l.doc_number = Some(format!("湘发改提〔2026〕{i}号"));
        l.addressee = format!("委员{i}");
        l.body = format!("本答复为第{i}份。{}", l.body);
        l
    };
    let first = r.render_letter(&letter(0)).expect("render");
    println!("one letter: {} bytes", first.len());
    let n = 60;
    let t = Instant::now();
    for i in 0..n {
        r.render_letter(&letter(i + 1)).expect("render");
    }
    let one = t.elapsed().as_secs_f64();
    println!(
        "1 thread: {:.1} letters/s ({:.1} ms each)",
        n as f64 / one,
        one * 1e3 / n as f64
    );
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let t = Instant::now();
    std::thread::scope(|s| {
        for k in 0..threads {
            let (r, letter) = (&r, &letter);
            s.spawn(move || {
                for i in 0..n {
                    r.render_letter(&letter(1000 * (k + 1) + i))
                        .expect("render");
                }
            });
        }
    });
    let all = t.elapsed().as_secs_f64();
    println!(
        "{threads} threads: {:.1} letters/s",
        (n * threads) as f64 / all
    );
}
