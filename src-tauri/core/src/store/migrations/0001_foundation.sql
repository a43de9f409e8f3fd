-- 0001: settings, the audit journal, parks, sectors, enterprises and their search index.
-- Money: integer fen. Dates: ISO 'YYYY-MM-DD' text. Timestamps: UTC RFC 3339 text.

CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE audit_event (
    id          INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    entity      TEXT    NOT NULL,
    entity_id   TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    batch_id    INTEGER,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL UNIQUE
);
CREATE INDEX audit_event_entity ON audit_event (entity, entity_id, id);
CREATE INDEX audit_event_batch ON audit_event (batch_id) WHERE batch_id IS NOT NULL;

CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only');
END;
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only');
END;

CREATE TABLE park (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    district      TEXT NOT NULL DEFAULT '',
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL
);

CREATE TABLE sector (
    name       TEXT PRIMARY KEY,
    sort_order INTEGER NOT NULL
);
INSERT INTO sector (name, sort_order) VALUES
    ('集成电路', 1), ('人工智能', 2), ('生物医药', 3), ('软件和信息服务', 4),
    ('智能电网', 5), ('新能源汽车', 6), ('新材料', 7), ('其他', 8);

CREATE TABLE enterprise (
    id                     INTEGER PRIMARY KEY,
    uscc                   TEXT    NOT NULL UNIQUE,
    name                   TEXT    NOT NULL,
    name_norm              TEXT    NOT NULL,
    founded_on             TEXT,
    registered_capital_fen INTEGER,
    park_id                INTEGER REFERENCES park (id),
    sector                 TEXT    NOT NULL DEFAULT '',
    contact_name           TEXT    NOT NULL DEFAULT '',
    contact_phone          TEXT    NOT NULL DEFAULT '',
    address                TEXT    NOT NULL DEFAULT '',
    status                 TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'moved_out', 'deregistered', 'merged')),
    notes                  TEXT    NOT NULL DEFAULT '',
    high_tech              INTEGER NOT NULL DEFAULT 0,
    uscc_org_code_warning  INTEGER NOT NULL DEFAULT 0,
    merged_into            INTEGER REFERENCES enterprise (id),
    created_at             TEXT    NOT NULL,
    updated_at             TEXT    NOT NULL,
    revision               INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX enterprise_name_norm ON enterprise (name_norm);
CREATE INDEX enterprise_park ON enterprise (park_id);

-- Search as you type: a trigram index over the searchable text of each enterprise.
CREATE VIRTUAL TABLE enterprise_fts USING fts5 (
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'trigram'
);

-- Undo writes compensating events; this table remembers which events were undone, by which event.
CREATE TABLE undo_log (
    event_id  INTEGER PRIMARY KEY REFERENCES audit_event (id),
    undone_by INTEGER NOT NULL REFERENCES audit_event (id)
);
