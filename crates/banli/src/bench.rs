//! `banli bench`: measured, never asserted.
use crate::config::Config;

pub async fn run(_cfg: &Config, _lifecycles: usize, _concurrency: usize) -> anyhow::Result<()> {
    anyhow::bail!("bench is not written yet")
}
