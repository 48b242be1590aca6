//! The canonical formatter (placeholder while the parser lands).
