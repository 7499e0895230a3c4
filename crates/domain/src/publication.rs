//! What a publication fixes (DESIGN §6 Integrity): the approved content, hashed so that any
//! later change to the record or to the published copy is found.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a publication fixes and hashes: the approved document, without contact details and
/// without the live progress of its commitments. Field order is part of the hash.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct CanonicalContent {
    pub kind: String,
    pub title: String,
    pub unit: String,
    pub doc_number: String,
    pub sent_on: String,
    pub disclosure: String,
    /// The full text, or the summary for `summary` mode.
    pub body: String,
}

impl CanonicalContent {
    pub fn sha256(&self) -> String {
        hex::encode(Sha256::digest(
            serde_json::to_string(self)
                .expect("content serialises")
                .as_bytes(),
        ))
    }
}
