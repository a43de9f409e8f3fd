-- Migration 10: the search index also holds each field's last character, and a new separator
-- between fields, so that a one-character search is a prefix query on the index (fast) instead
-- of a scan of every row. No table changes: the index is built again in Rust (after_sql).
SELECT 1;
