-- 0003: search as you type, rebuilt. The index holds the overlapping character pairs (bigrams)
-- of each enterprise's name, contact, phone, park and sector, so that a one- or two-character
-- fragment is a token lookup and longer fragments are phrase queries; the USCC prefix uses the
-- enterprise table's own index. Merged records are not indexed. Filled from Rust (search.rs).
DROP TABLE enterprise_fts;
CREATE VIRTUAL TABLE enterprise_fts USING fts5 (
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'ascii'
);
CREATE INDEX enterprise_status ON enterprise (status, id);
CREATE INDEX enterprise_sector ON enterprise (sector, id);
-- Covering indexes for code and phone prefixes (the count reads no table row).
CREATE INDEX enterprise_uscc_status ON enterprise (uscc, status);
CREATE INDEX enterprise_phone ON enterprise (contact_phone, status);
