//! Official notices (GB/T 9704-2012): layout and PDF (`layout`), templates, the document register.

pub mod layout;
