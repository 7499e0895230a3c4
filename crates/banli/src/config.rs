//! Configuration: command-line flags, then `BANLI_*` variables, then the `--config` TOML
//! file, then defaults.

use anyhow::Context;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub listen: Option<String>,
    /// The organisation the CLI and the API act in (e.g. 湖南省政协).
    pub organisation: Option<String>,
    pub public_base_url: Option<String>,
    pub log: Option<String>,
}

impl FileConfig {
    pub fn load(path: Option<&Path>) -> anyhow::Result<FileConfig> {
        let Some(path) = path else { return Ok(FileConfig::default()) };
        let text = std::fs::read_to_string(path).with_context(|| format!("读取配置文件 {} 失败", path.display()))?;
        toml::from_str(&text).with_context(|| format!("配置文件 {} 格式有误", path.display()))
    }
}

/// Everything a command needs, resolved.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub listen: String,
    pub organisation: String,
    pub public_base_url: String,
}

pub const DEFAULT_ORGANISATION: &str = "湖南省政协";
