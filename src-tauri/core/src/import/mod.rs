//! Spreadsheet import from parks.

pub mod normalize;
