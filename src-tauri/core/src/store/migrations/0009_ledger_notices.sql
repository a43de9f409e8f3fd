-- 0009: the rent ledger by calendar day (DESIGN §2, ledger rules), rewards beyond one title, and
-- notices that stand up (DESIGN §3) with the 公示 list (part 4, below).
--
-- 1. A grant records how it was calculated (`method`: 1 whole calendar months, the grants made
--    before this version, which keep their amounts and explanations; 2 calendar days) and its
--    months exactly (`month_units`: 1/377,580 of a month, so that every day of every month is a
--    whole number of units). `rent_grant_span` holds the days a grant subsidises and the area on
--    them: what the next application of the same enterprise is checked against (no day of the same
--    premises twice, the area cap shared day by day, 36 months in all). The spans of the grants
--    already made are written by Rust after this file (`after_sql`), from their period and months.
-- 2. Rewards: `basis` says what the reward is for (a title; the difference 补差 when a higher title
--    of the same 就高不重复 group follows a lower one; a performance-based amount the office sets),
--    `tops_up` the earlier reward whose amount a 补差 completes, `note` the scoring note or the reason
--    for an amount below the standard. A performance-based reward has no certification: the NOT
--    NULL of `certification_id` is removed in place (a relaxing change; stored rows stay valid).
ALTER TABLE rent_grant ADD COLUMN method INTEGER NOT NULL DEFAULT 1;
ALTER TABLE rent_grant ADD COLUMN month_units INTEGER NOT NULL DEFAULT 0;
UPDATE rent_grant SET month_units = months * 377580;

CREATE TABLE rent_grant_span (
    grant_id      INTEGER NOT NULL REFERENCES rent_grant (id),
    start_on      TEXT    NOT NULL,
    end_on        TEXT    NOT NULL,
    area_centi_m2 INTEGER NOT NULL CHECK (area_centi_m2 > 0),
    PRIMARY KEY (grant_id, start_on),
    CHECK (end_on >= start_on)
) WITHOUT ROWID;

ALTER TABLE reward ADD COLUMN basis TEXT NOT NULL DEFAULT 'title' CHECK (basis = 'title' OR basis = 'top_up' OR basis = 'performance');
ALTER TABLE reward ADD COLUMN tops_up INTEGER REFERENCES reward (id);
ALTER TABLE reward ADD COLUMN note TEXT NOT NULL DEFAULT '';

-- 3. Kinds match the clause exactly, level included (DESIGN §2): the national design centre is not
--    a provincial one, and 国家知识产权示范企业 is another title than 知识产权运用标杆企业. Changed only
--    where an office kept the kinds as shipped.
UPDATE cert_kind SET name_zh = '国家知识产权运用标杆企业', name_en = 'National IP utilisation benchmark enterprise', synonyms_json = '["知识产权运用标杆企业"]'
 WHERE code = 'ip_benchmark' AND name_zh = '国家知识产权示范企业' AND synonyms_json = '["知识产权运用标杆企业","国家知识产权运用标杆企业","知识产权示范企业"]';
UPDATE cert_kind SET name_zh = '国家级工业设计中心', name_en = 'National industrial design centre', synonyms_json = '["国家工业设计中心"]'
 WHERE code = 'industrial_design_center' AND name_zh = '工业设计中心' AND synonyms_json = '["国家级工业设计中心","省级工业设计中心"]';
UPDATE program SET name_zh = '国家级工业设计中心奖励', name_en = 'National industrial design centre reward'
 WHERE code = 'industrial_design_center' AND name_zh = '工业设计中心奖励';
-- 国家知识产权示范企业 is a title of its own (no program of the policy rewards it): a kind, so that
-- a park's list that names it is kept, and never taken for the 运用标杆企业 the clause rewards.
INSERT INTO cert_kind (code, name_zh, name_en, synonyms_json, validity_json, annual_report_json, evaluation_json, review, sort_order)
SELECT 'ip_demonstration', '国家知识产权示范企业', 'National IP demonstration enterprise', '["知识产权示范企业"]', NULL, NULL, NULL, 0, coalesce(max(sort_order), 0) + 1
  FROM cert_kind WHERE NOT EXISTS (SELECT 1 FROM cert_kind WHERE code = 'ip_demonstration' OR name_zh = '国家知识产权示范企业')
HAVING count(*) > 0;

-- 4. Notices that stand up to a clerk, an auditor and a court (DESIGN §3), and the 公示 list
--    before money goes out.
-- 4a. A clause version may carry the official Chinese text the office pasted (`official_zh`, with
--    who and when as every version does). Only that text is ever quoted in a notice; the catalog's
--    Chinese is a back-translation of the English and is never printed as a quotation.
-- 4b. Notice kinds for reductions (核减), the difference of a higher title (补差) and the 公示
--    list: the CHECK of `notice_template.kind` is rewritten in place by Rust after this file, and a
--    notice may have no single enterprise (a 公示 list names many): NOT NULL removed in place.
-- 4c. 公示: a list of approved grants and rewards, published for some working days with its own
--    numbered document; objections against an item hold it until resolved.
ALTER TABLE clause ADD COLUMN official_zh TEXT NOT NULL DEFAULT '';
CREATE TRIGGER clause_official_is_frozen BEFORE UPDATE OF official_zh ON clause
BEGIN
    SELECT RAISE(ABORT, 'a clause version is never edited: add a version');
END;

CREATE TABLE publicity (
    id           INTEGER PRIMARY KEY,
    notice_id    INTEGER REFERENCES notice (id),
    subject      TEXT    NOT NULL,
    working_days INTEGER NOT NULL CHECK (working_days BETWEEN 1 AND 30),
    starts_on    TEXT    NOT NULL,
    ends_on      TEXT    NOT NULL,
    contact      TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'open' CHECK (status = 'open' OR status = 'closed'),
    created_at   TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    closed_at    TEXT,
    closed_by    TEXT
);

CREATE TABLE publicity_item (
    id            INTEGER PRIMARY KEY,
    publicity_id  INTEGER NOT NULL REFERENCES publicity (id),
    grant_id      INTEGER REFERENCES rent_grant (id),
    reward_id     INTEGER REFERENCES reward (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprise (id),
    amount_fen    INTEGER NOT NULL CHECK (amount_fen >= 0),
    -- listed: in the list; cleared: the period ended without an objection, or every objection was
    -- resolved keeping or amending it; dropped: an objection was upheld and the grant revoked.
    outcome       TEXT    NOT NULL DEFAULT 'listed' CHECK (outcome = 'listed' OR outcome = 'cleared' OR outcome = 'dropped'),
    CHECK ((grant_id IS NULL) != (reward_id IS NULL))
);
CREATE INDEX publicity_item_grant ON publicity_item (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX publicity_item_reward ON publicity_item (reward_id) WHERE reward_id IS NOT NULL;

CREATE TABLE publicity_objection (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES publicity_item (id),
    received_on TEXT    NOT NULL,
    objector    TEXT    NOT NULL DEFAULT '',
    text        TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'open' CHECK (status = 'open' OR status = 'kept' OR status = 'dropped' OR status = 'amended'),
    resolution  TEXT    NOT NULL DEFAULT '',
    amended_fen INTEGER,
    created_at  TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT
);
CREATE INDEX publicity_objection_item ON publicity_objection (item_id);

-- 4d. How a notice words a title (获评 / 入选 a published list / 首次突破), and the list's name.
ALTER TABLE cert_kind ADD COLUMN wording TEXT;
ALTER TABLE cert_kind ADD COLUMN list_name TEXT;
UPDATE cert_kind SET wording = '入选', list_name = '国家技术创新示范企业名单' WHERE code = 'tech_innovation_demo';
UPDATE cert_kind SET wording = '入选', list_name = '国家质量标杆企业名单' WHERE code = 'quality_benchmark';
UPDATE cert_kind SET wording = '入选', list_name = '国家知识产权运用标杆企业名单' WHERE code = 'ip_benchmark';
UPDATE cert_kind SET wording = '入选', list_name = '国家级绿色工厂名单' WHERE code = 'green_factory';
UPDATE cert_kind SET wording = '入选', list_name = '国家级绿色供应链管理企业名单' WHERE code = 'green_supply_chain';
UPDATE cert_kind SET wording = '入选', list_name = '国家服务型制造示范企业名单' WHERE code = 'service_manufacturing_demo';
UPDATE cert_kind SET wording = '入选', list_name = '国家级工业设计中心名单' WHERE code = 'industrial_design_center';
UPDATE cert_kind SET wording = '首次突破' WHERE code = 'software_revenue_100m';

-- 4e. The level a kind is at (national / provincial): a 省级 or 市级 title is not a national one.
ALTER TABLE cert_kind ADD COLUMN level TEXT;
UPDATE cert_kind SET level = 'national' WHERE code IN ('little_giant_national', 'tech_innovation_demo', 'quality_benchmark',
    'ip_benchmark', 'ip_demonstration', 'green_factory', 'green_supply_chain', 'service_manufacturing_demo', 'industrial_design_center');
UPDATE cert_kind SET level = 'provincial' WHERE code = 'specialized_sme_provincial';
