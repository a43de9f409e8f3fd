//! GB/T 9704 layout with printpdf (placeholder; being written).
