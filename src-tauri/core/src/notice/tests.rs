use super::*;

#[test]
fn seeds_are_valid_templates_of_every_kind() {
    let (seeds, superseded) = template_seeds();
    assert_eq!(seeds.len(), NoticeKind::ALL.len());
    assert_eq!(superseded.len(), 4, "the four templates of version 1");
    for k in NoticeKind::ALL {
        let s = seeds.iter().find(|s| s.kind == k).expect("a seed per kind");
        let allowed: Vec<&str> = COMMON_FIELDS.iter().chain(k.own_fields()).copied().collect();
        let used: Vec<&str> = placeholders_in(&s.title).unwrap().into_iter().chain(placeholders_in(&s.body).unwrap()).collect();
        for u in &used {
            assert!(allowed.contains(u), "{}: {{{u}}} not allowed", k.as_str());
        }
        for r in k.required_fields() {
            assert!(used.contains(r), "{}: {{{r}}} required", k.as_str());
        }
        assert!(s.genre == "通知" || s.genre == "函");
        assert!(!s.title.contains("批复") && !s.body.contains("批复"), "no 批复 to enterprises");
        // A refusal or a reduction carries the remedies; a letter is a 函.
        assert_eq!(s.body.contains("{remedies}"), k.needs_remedies(), "{}", k.as_str());
        assert_eq!(s.genre == "函", k == NoticeKind::ExpiryReminder, "{}", k.as_str());
    }
}

#[test]
fn placeholders_are_found_and_unclosed_braces_refused() {
    assert_eq!(placeholders_in("根据{citation}，{enterprise}：").unwrap(), vec!["citation", "enterprise"]);
    assert_eq!(placeholders_in("无占位符").unwrap(), Vec::<&str>::new());
    assert!(placeholders_in("金额{amount元").is_err());
}

#[test]
fn numbers_and_dates_follow_gbt_9704() {
    assert_eq!(doc_number("江宁科", 2026, 12), "江宁科〔2026〕12号");
    assert_eq!(doc_number("江宁科函", 2026, 3), "江宁科函〔2026〕3号");
    assert_eq!(zh_date(NaiveDate::from_ymd_opt(2026, 3, 5).unwrap()), "2026年3月5日");
    assert_eq!(zh_date_text("2026-12-31"), "2026年12月31日");
    assert_eq!(amount_line(13_527_000), "大写金额：人民币壹拾叁万伍仟贰佰柒拾元整。");
    assert_eq!(amount_line(140_950), "大写金额：人民币壹仟肆佰零玖元伍角。");
}

#[test]
fn the_quoted_sentence_is_the_one_about_the_subject() {
    let text = "支持龙头企业牵头组建创新联合体。各区（园区）根据企业成长情况，给予高新技术创业企业最高100%的房租补贴，最长不超过三年。加快培育科技型中小企业。";
    assert_eq!(quote_of(text, "房租补贴高新技术创业企业"), "各区（园区）根据企业成长情况，给予高新技术创业企业最高100%的房租补贴，最长不超过三年");
    assert_eq!(quote_of("只有一句", "无关"), "只有一句");
    assert_eq!(quote_of("", "x"), "");
}

#[test]
fn an_issued_notice_cannot_be_changed_or_deleted_in_sql() {
    let t = tempfile::tempdir().unwrap();
    let mut db = Db::open_rw(t.path().join("n.db")).unwrap();
    let e = crate::enterprise::create(
        &mut db,
        &crate::enterprise::EnterpriseInput { uscc: "914403001922038216".into(), name: "南京甲乙科技有限公司".into(), ..Default::default() },
    )
    .unwrap()
    .enterprise;
    let c = crate::cert::add(
        &mut db,
        &crate::cert::CertInput {
            uscc: e.uscc.clone(),
            kind: "high_tech_enterprise".into(),
            certificate_no: Some("GR202532000001".into()),
            issued_on: "2025-01-10".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let n = issue(&mut db, Target { kind: NoticeKind::ExpiryReminder, id: c.id }, NaiveDate::from_ymd_opt(2026, 3, 5).unwrap()).unwrap();
    assert_eq!(n.doc_number, "江宁科函〔2026〕1号", "a reminder is a 函 with its own numbers");
    let conn = db.conn();
    let err = conn.execute("UPDATE notice SET pdf = x'00' WHERE id = ?1", [n.id]).unwrap_err().to_string();
    assert!(err.contains("never changed"), "{err}");
    assert!(conn.execute("UPDATE notice SET doc_number = 'x' WHERE id = ?1", [n.id]).is_err());
    let err = conn.execute("DELETE FROM notice WHERE id = ?1", [n.id]).unwrap_err().to_string();
    assert!(err.contains("never deleted"), "{err}");
    // Voiding is the only change.
    let v = void(&mut db, n.id, "地址有误").unwrap();
    assert_eq!((v.status.as_str(), v.void_reason.as_str()), ("voided", "地址有误"));
    assert_eq!(pdf(&db, n.id).unwrap().len() as i64, n.size, "the PDF stays stored");
}
