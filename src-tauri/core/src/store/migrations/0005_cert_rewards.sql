-- 0005: certification kinds as editable data, and rewards (免申即享) from certifications.

CREATE TABLE cert_kind (
    code                 TEXT PRIMARY KEY,
    name_zh              TEXT    NOT NULL,
    name_en              TEXT    NOT NULL,
    synonyms_json        TEXT    NOT NULL DEFAULT '[]',
    validity_json        TEXT,
    annual_report_json   TEXT,
    evaluation_json      TEXT,
    review               INTEGER NOT NULL DEFAULT 0,
    sort_order           INTEGER NOT NULL
);

CREATE TABLE reward (
    id               INTEGER PRIMARY KEY,
    enterprise_id    INTEGER NOT NULL REFERENCES enterprise (id),
    certification_id INTEGER NOT NULL REFERENCES certification (id),
    program_id       INTEGER NOT NULL REFERENCES program (id),
    amount_fen       INTEGER NOT NULL CHECK (amount_fen >= 0),
    cap_fen          INTEGER,
    approved_fen     INTEGER CHECK (approved_fen IS NULL OR approved_fen >= 0),
    status           TEXT    NOT NULL CHECK (status IN ('draft', 'approved', 'rejected', 'disbursed', 'revoked')),
    reason           TEXT    NOT NULL DEFAULT '',
    budget_year      INTEGER NOT NULL,
    over_budget      INTEGER NOT NULL DEFAULT 0,
    clause_id        INTEGER NOT NULL REFERENCES clause (id),
    explanation_json TEXT    NOT NULL,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);
CREATE INDEX reward_enterprise ON reward (enterprise_id, status);
CREATE INDEX reward_program ON reward (program_id, budget_year, status);
-- One live reward per certification and program.
CREATE UNIQUE INDEX reward_once ON reward (certification_id, program_id) WHERE status NOT IN ('rejected', 'revoked');
