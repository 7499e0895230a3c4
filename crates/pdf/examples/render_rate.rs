//! How many three-page letters one thread renders per second, and with all cores.
//! `cargo run --release -p banli-pdf --example render_rate`

use banli_pdf::{bench_letter, FontSource, Renderer};
use std::time::Instant;

fn main() {
    let t = Instant::now();
    let r = Renderer::load(FontSource::default()).expect("fonts");
    println!("fonts loaded in {:.0} ms ({})", t.elapsed().as_secs_f64() * 1e3, r.faces());
    let letter = bench_letter();
    let first = r.render_letter(&letter).expect("render");
    println!("one letter: {} bytes", first.len());
    let n = 60;
    let t = Instant::now();
    for _ in 0..n {
        r.render_letter(&letter).expect("render");
    }
    let one = t.elapsed().as_secs_f64();
    println!("1 thread: {:.1} letters/s ({:.1} ms each)", n as f64 / one, one * 1e3 / n as f64);
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                for _ in 0..n {
                    r.render_letter(&letter).expect("render");
                }
            });
        }
    });
    let all = t.elapsed().as_secs_f64();
    println!("{threads} threads: {:.1} letters/s", (n * threads) as f64 / all);
}
