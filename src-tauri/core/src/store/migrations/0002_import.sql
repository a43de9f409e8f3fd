-- 0002: import batches (undo, park resubmissions, remembered column mappings) and what the
-- import kinds create besides enterprises: leases, rent applications, certifications.

CREATE TABLE import_batch (
    id           INTEGER PRIMARY KEY,
    file_name    TEXT    NOT NULL,
    file_sha256  TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('enterprises', 'rent_applications', 'certifications')),
    park_id      INTEGER REFERENCES park (id),
    sheet        TEXT    NOT NULL,
    header_row   INTEGER NOT NULL,
    mapping_json TEXT    NOT NULL,
    summary_json TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    undone_at    TEXT,
    undone_by    TEXT
);
CREATE INDEX import_batch_sha ON import_batch (file_sha256);
CREATE INDEX import_batch_park ON import_batch (park_id, kind, id);

-- One line per data row the batch accepted: what it did to which entity.
CREATE TABLE import_batch_item (
    batch_id  INTEGER NOT NULL REFERENCES import_batch (id),
    row       INTEGER NOT NULL,
    uscc      TEXT    NOT NULL,
    name      TEXT    NOT NULL,
    action    TEXT    NOT NULL CHECK (action IN ('new', 'updated', 'unchanged')),
    entity    TEXT    NOT NULL,
    entity_id INTEGER,
    PRIMARY KEY (batch_id, row)
) WITHOUT ROWID;
CREATE INDEX import_batch_item_uscc ON import_batch_item (uscc);

-- Column mappings remembered per park (park_id 0: no park) and kind: header text → field.
CREATE TABLE import_profile (
    park_id      INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    mapping_json TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    PRIMARY KEY (park_id, kind)
);

CREATE TABLE lease (
    id              INTEGER PRIMARY KEY,
    enterprise_id   INTEGER NOT NULL REFERENCES enterprise (id),
    address         TEXT    NOT NULL DEFAULT '',
    area_centi_m2   INTEGER NOT NULL CHECK (area_centi_m2 > 0),
    unit_rent_fen   INTEGER NOT NULL CHECK (unit_rent_fen > 0),
    start_on        TEXT    NOT NULL,
    end_on          TEXT    NOT NULL,
    annual_rent_fen INTEGER,
    park_id         INTEGER REFERENCES park (id),
    source          TEXT    NOT NULL DEFAULT 'manual',
    batch_id        INTEGER REFERENCES import_batch (id),
    created_at      TEXT    NOT NULL
);
CREATE INDEX lease_enterprise ON lease (enterprise_id);

CREATE TABLE growth_report (
    id            INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprise (id),
    year          INTEGER NOT NULL,
    revenue_fen   INTEGER,
    rd_fen        INTEGER,
    staff         INTEGER,
    source        TEXT    NOT NULL DEFAULT 'manual',
    batch_id      INTEGER REFERENCES import_batch (id),
    UNIQUE (enterprise_id, year)
);

CREATE TABLE rent_application (
    id               INTEGER PRIMARY KEY,
    enterprise_id    INTEGER NOT NULL REFERENCES enterprise (id),
    lease_id         INTEGER NOT NULL REFERENCES lease (id),
    subsidy_year     INTEGER NOT NULL,
    period_start     TEXT    NOT NULL,
    period_end       TEXT    NOT NULL,
    revenue_prev_fen INTEGER,
    revenue_curr_fen INTEGER,
    requested_fen    INTEGER,
    source           TEXT    NOT NULL DEFAULT 'manual',
    batch_id         INTEGER REFERENCES import_batch (id),
    created_at       TEXT    NOT NULL
);
CREATE INDEX rent_application_enterprise ON rent_application (enterprise_id);

CREATE TABLE certification (
    id             INTEGER PRIMARY KEY,
    enterprise_id  INTEGER NOT NULL REFERENCES enterprise (id),
    kind           TEXT    NOT NULL,
    certificate_no TEXT    NOT NULL DEFAULT '',
    issued_on      TEXT    NOT NULL,
    expires_on     TEXT,
    expiry_flag    INTEGER NOT NULL DEFAULT 0,
    level          TEXT    NOT NULL DEFAULT '',
    source         TEXT    NOT NULL DEFAULT 'manual',
    batch_id       INTEGER REFERENCES import_batch (id),
    revoked        INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT    NOT NULL
);
CREATE INDEX certification_enterprise ON certification (enterprise_id, kind);
CREATE INDEX certification_expiry ON certification (expires_on) WHERE revoked = 0;
