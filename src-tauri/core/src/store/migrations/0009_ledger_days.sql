-- 0009: the rent ledger by calendar day (DESIGN §2, ledger rules) and rewards beyond one title.
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
