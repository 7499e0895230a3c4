//! Black-box tests: the real router on a random port, over real HTTP, against SQLite and —
//! when BANLI_TEST_PG_URL is set — PostgreSQL, with the same test code. One test binary, so
//! it links once.

mod admin_web;
mod backup;
mod browser;
mod browser_staff;
mod browser_xss;
mod cli;
mod concurrency;
mod dashboard_web;
mod harness;
mod hostile;
mod import;
mod leak_sweep;
mod lifecycle;
mod mail;
mod matrix;
mod openapi;
mod pdf;
mod portal;
mod rights_matrix;
mod search;
mod staff_web;
mod stats;
mod validation;
