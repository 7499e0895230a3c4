//! The pure domain of Banli (DESIGN §1–4): the vocabulary, the lifecycle state machine, the
//! policy and the working-day calendar. No I/O and no async: everything here is tested by
//! plain unit and property tests.

pub mod calendar;
pub mod clock;
pub mod letter;
pub mod lifecycle;
pub mod limits;
pub mod model;
pub mod notices;
pub mod paper;
pub mod policy;
pub mod publication;
pub mod rights;
pub mod stats;
