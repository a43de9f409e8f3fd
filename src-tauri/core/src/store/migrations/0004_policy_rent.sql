-- 0004: the policy catalog (versioned clauses), programs with yearly budgets, the rent-subsidy
-- rule scheme (versioned), rent-subsidy grants and payments. Seeded from assets/policy by Rust.

CREATE TABLE policy (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    title_zh   TEXT NOT NULL,
    title_en   TEXT NOT NULL,
    doc_number TEXT NOT NULL,
    issuer_zh  TEXT NOT NULL DEFAULT '',
    issued_on  TEXT
);

-- Clauses are never edited in place: an edit adds a version; `current` marks the one in force.
CREATE TABLE clause (
    id         INTEGER PRIMARY KEY,
    policy_id  INTEGER NOT NULL REFERENCES policy (id),
    article    INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    chapter    INTEGER NOT NULL DEFAULT 0,
    title_zh   TEXT    NOT NULL,
    title_en   TEXT    NOT NULL,
    text_zh    TEXT    NOT NULL DEFAULT '',
    text_en    TEXT    NOT NULL DEFAULT '',
    note       TEXT    NOT NULL DEFAULT '',
    current    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    UNIQUE (policy_id, article, version)
);
CREATE TRIGGER clause_text_is_frozen BEFORE UPDATE OF text_zh, text_en, title_zh, title_en ON clause
BEGIN
    SELECT RAISE(ABORT, 'a clause version is never edited: add a version');
END;

CREATE TABLE program (
    id                 INTEGER PRIMARY KEY,
    code               TEXT    NOT NULL UNIQUE,
    name_zh            TEXT    NOT NULL,
    name_en            TEXT    NOT NULL,
    kind               TEXT    NOT NULL CHECK (kind IN ('rent_subsidy', 'reward')),
    policy_id          INTEGER NOT NULL REFERENCES policy (id),
    article            INTEGER NOT NULL,
    cap_fen            INTEGER,
    default_amount_fen INTEGER,
    cert_kind          TEXT,
    stacking_group     TEXT,
    allow_stacking     INTEGER NOT NULL DEFAULT 0,
    active             INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE program_budget (
    program_id    INTEGER NOT NULL REFERENCES program (id),
    year          INTEGER NOT NULL,
    allocated_fen INTEGER NOT NULL CHECK (allocated_fen >= 0),
    PRIMARY KEY (program_id, year)
) WITHOUT ROWID;

CREATE TABLE rent_rule (
    version     INTEGER PRIMARY KEY,
    params_json TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL
);

CREATE TABLE rent_grant (
    id                     INTEGER PRIMARY KEY,
    enterprise_id          INTEGER NOT NULL REFERENCES enterprise (id),
    application_id         INTEGER REFERENCES rent_application (id),
    lease_id               INTEGER NOT NULL REFERENCES lease (id),
    program_id             INTEGER NOT NULL REFERENCES program (id),
    subsidy_year           INTEGER NOT NULL,
    period_start           TEXT    NOT NULL,
    period_end             TEXT    NOT NULL,
    months                 INTEGER NOT NULL,
    rate_bp                INTEGER NOT NULL CHECK (rate_bp BETWEEN 0 AND 10000),
    eligible_unit_rent_fen INTEGER NOT NULL,
    eligible_area_centi_m2 INTEGER NOT NULL,
    computed_fen           INTEGER NOT NULL CHECK (computed_fen >= 0),
    requested_fen          INTEGER,
    approved_fen           INTEGER CHECK (approved_fen IS NULL OR approved_fen >= 0),
    status                 TEXT    NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'rejected', 'disbursed', 'revoked')),
    reason                 TEXT    NOT NULL DEFAULT '',
    budget_year            INTEGER NOT NULL,
    over_budget            INTEGER NOT NULL DEFAULT 0,
    rule_version           INTEGER NOT NULL REFERENCES rent_rule (version),
    clause_id              INTEGER NOT NULL REFERENCES clause (id),
    explanation_json       TEXT    NOT NULL,
    created_at             TEXT    NOT NULL,
    updated_at             TEXT    NOT NULL
);
CREATE INDEX rent_grant_enterprise ON rent_grant (enterprise_id, status);
CREATE INDEX rent_grant_program ON rent_grant (program_id, budget_year, status);

-- Payments against a grant (or, later, a reward). Never more than approved (checked in Rust).
CREATE TABLE disbursement (
    id         INTEGER PRIMARY KEY,
    grant_id   INTEGER REFERENCES rent_grant (id),
    reward_id  INTEGER,
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    paid_on    TEXT    NOT NULL,
    reference  TEXT    NOT NULL DEFAULT '',
    created_at TEXT    NOT NULL,
    CHECK ((grant_id IS NULL) != (reward_id IS NULL))
);
CREATE INDEX disbursement_grant ON disbursement (grant_id);
CREATE INDEX disbursement_reward ON disbursement (reward_id);
