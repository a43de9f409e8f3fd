-- 0006: official notices: versioned templates, the document-number register, issued notices
-- (PDF bytes with their SHA-256, never changed; voiding keeps the number; a correction supersedes).

CREATE TABLE notice_template (
    kind       TEXT    NOT NULL CHECK (kind IN ('rent_approval', 'rent_rejection', 'reward', 'expiry_reminder')),
    version    INTEGER NOT NULL,
    genre      TEXT    NOT NULL CHECK (genre IN ('通知', '函')),
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    current    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    PRIMARY KEY (kind, version)
) WITHOUT ROWID;

-- One row per prefix and year: the last number given. Numbers are taken in the issuing
-- transaction, so none is ever skipped or reused.
CREATE TABLE doc_register (
    prefix  TEXT    NOT NULL,
    year    INTEGER NOT NULL,
    last_no INTEGER NOT NULL,
    PRIMARY KEY (prefix, year)
) WITHOUT ROWID;

CREATE TABLE notice (
    id               INTEGER PRIMARY KEY,
    doc_number       TEXT    NOT NULL UNIQUE,
    prefix           TEXT    NOT NULL,
    year             INTEGER NOT NULL,
    seq              INTEGER NOT NULL,
    kind             TEXT    NOT NULL,
    subject          TEXT    NOT NULL,
    enterprise_id    INTEGER NOT NULL REFERENCES enterprise (id),
    grant_id         INTEGER REFERENCES rent_grant (id),
    reward_id        INTEGER REFERENCES reward (id),
    certification_id INTEGER REFERENCES certification (id),
    template_version INTEGER NOT NULL,
    clause_json      TEXT    NOT NULL,
    fields_json      TEXT    NOT NULL,
    verification     TEXT    NOT NULL,
    pdf              BLOB    NOT NULL,
    sha256           TEXT    NOT NULL UNIQUE,
    status           TEXT    NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'voided')),
    void_reason      TEXT    NOT NULL DEFAULT '',
    voided_at        TEXT,
    supersedes       INTEGER REFERENCES notice (id),
    issued_at        TEXT    NOT NULL,
    issued_by        TEXT    NOT NULL,
    UNIQUE (prefix, year, seq)
);
CREATE INDEX notice_enterprise ON notice (enterprise_id);
CREATE INDEX notice_grant ON notice (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX notice_reward ON notice (reward_id) WHERE reward_id IS NOT NULL;

-- An issued PDF is never changed: only the status, the void reason and time may change.
CREATE TRIGGER notice_pdf_is_frozen BEFORE UPDATE OF pdf, sha256, doc_number, seq, fields_json, clause_json ON notice
BEGIN
    SELECT RAISE(ABORT, 'an issued notice is never changed: void it and issue a correction');
END;
CREATE TRIGGER notice_is_never_deleted BEFORE DELETE ON notice
BEGIN
    SELECT RAISE(ABORT, 'an issued notice is never deleted: void it');
END;
