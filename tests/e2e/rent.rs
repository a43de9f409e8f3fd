//! The rent subsidy in the real window: for a demo enterprise, add a lease and growth, calculate,
//! read the explanation, approve, pay (the budget bar moves); a 4th year is refused with the reason.

use crate::harness::*;
use huiqi_core::store::{Db, Mode, OpenOptions};

fn ro(w: &World) -> Db {
    Db::open(w.db(), OpenOptions { mode: Mode::Read, ..Default::default() }).unwrap()
}

async fn budget_text(s: &Session, which: &str) -> String {
    s.js(&format!("return document.querySelector('[data-program=rent_subsidy] [data-testid={which}]')?.innerText || ''")).await.as_str().unwrap_or("").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lease_growth_calculate_explain_approve_pay() {
    let _g = crate::serial();
    let w = World::new();
    let s = w.launch().await;
    s.click("[data-testid=first-run-demo]").await;
    s.click("[data-testid=nav-enterprise]").await;
    s.find("[data-testid=enterprise-view]").await;

    // A demo enterprise that is young enough and holds a valid status on 2026-01-01, with no grant.
    let (name, eid) = {
        let db = ro(&w);
        let page = huiqi_core::enterprise::search(&db, &huiqi_core::enterprise::EnterpriseQuery { limit: 100, ..Default::default() }).unwrap();
        let pick = page
            .rows
            .iter()
            .find(|e| {
                e.founded_on.as_deref().is_some_and(|f| f >= "2021-06-01" && f <= "2025-06-01")
                    && !huiqi_core::store::rent::valid_cert_kinds_of(&db, e.id, "2026-01-01").is_empty()
                    && huiqi_core::rent::leases(&db, e.id).unwrap().is_empty()
            })
            .expect("the demo set has an eligible enterprise without a lease");
        (pick.name.clone(), pick.id)
    };

    // Open it from the registry: 租赁与补贴.
    s.fill("[data-testid=search-box]", &name).await;
    s.wait_count(1).await;
    s.keys("[data-testid=search-box]", &ENTER.to_string()).await;
    s.click_text(".el-tabs__item", "租赁与补贴").await;
    s.find("[data-testid=enterprise-rent]").await;
    // Add a lease.
    s.click_until("[data-testid=lease-add]", "return !!document.querySelector('[data-testid=lease-area]')").await;
    s.fill("[data-testid=lease-area]", "250.5").await;
    s.fill("[data-testid=lease-unit]", "45").await;
    s.fill("[data-testid=lease-start]", "2026-01-01").await;
    s.fill("[data-testid=lease-end]", "2026-12-31").await;
    // (the form closes on save: a second click only lands while the first was lost)
    s.click_until("[data-testid=lease-save]", "return document.body.innerText.includes('250.50')").await;
    // Growth: 2024 and 2025 revenue (growth 40 %).
    for (y, rev) in [("2024", "1000000"), ("2025", "1400000")] {
        s.fill("[data-testid=growth-year]", y).await;
        s.fill("[data-testid=growth-revenue]", rev).await;
        s.click_until("[data-testid=growth-save]", &format!("return document.body.innerText.includes({:?})", format!("{y}："))).await;
    }
    // Apply for the first year and compute.
    let lease_id = huiqi_core::rent::leases(&ro(&w), eid).unwrap()[0].id;
    s.click_until(&format!("[data-testid=apply-{lease_id}]"), "return !!document.querySelector('[data-testid=application-form]')").await;
    s.fill("[data-testid=app-requested]", "135000").await;
    // The explanation: every step with its basis, and the amount.
    s.click_until("[data-testid=app-save]", "return !!document.querySelector('[data-testid=explanation]')").await;
    s.wait_js("return (document.querySelector('[data-testid=expl-amount]')?.innerText||'').includes('135,270.00')", 20).await;
    s.wait_text("增长 40%").await;
    s.wait_text("第二条（第1版）").await;
    s.wait_text("补贴规则第1版 · tiers").await;
    s.shot("30-rent-explanation").await;
    s.press(&ESCAPE.to_string()).await;

    // 房租补贴: approve it; the budget bar moves.
    s.click_until("[data-testid=nav-rent]", "return !!document.querySelector('[data-testid=rent-view]')").await;
    s.find("[data-testid=budget-bar]").await;
    let approved_before = budget_text(&s, "budget-approved").await;
    let gid = huiqi_core::rent::grants(&ro(&w), None).unwrap().into_iter().find(|g| g.enterprise_id == eid).unwrap().id;
    s.click_until(&format!("[data-testid=approve-{gid}]"), "return !!document.querySelector('.el-message-box')").await;
    s.wait_text("测算金额为 135,270.00 元").await;
    s.confirm_box().await;
    s.wait_text("已批准").await;
    s.wait_js(&format!("return (document.querySelector('[data-program=rent_subsidy] [data-testid=budget-approved]')?.innerText||'') !== {}", serde_json::to_string(&approved_before).unwrap()), 20).await;
    let approved_after = budget_text(&s, "budget-approved").await;
    let num = |t: &str| t.replace(',', "").parse::<f64>().unwrap();
    assert!((num(&approved_after) - num(&approved_before) - 135_270.0).abs() < 0.005, "{approved_before} → {approved_after}");

    // Pay it in full.
    s.click_until(&format!("[data-testid=pay-{gid}]"), "const d = document.querySelector('[data-testid=pay-dialog]'); return !!d && d.getClientRects().length > 0").await;
    s.click_until("[data-testid=pay-confirm]", "return document.body.innerText.includes('已记录拨付')").await;
    s.wait_text("已记录拨付 135,270.00 元").await;
    s.wait_js("return (document.querySelector('[data-program=rent_subsidy] [data-testid=budget-disbursed]')?.innerText||'').includes('135,270.00')", 20).await;
    s.shot("31-rent-grants").await;
    let g = huiqi_core::rent::grant(&ro(&w), gid).unwrap();
    assert_eq!(g.status, huiqi_core::rent::GrantStatus::Disbursed);
    assert_eq!(g.paid_fen, 13_527_000);

    // A request for a 4th year is refused, with the reason.
    s.click_text(".el-tabs__item", "政策计算器").await;
    s.click_until("[data-testid=calc-whatif]", "return !!document.querySelector('[data-testid=calc-year]')").await;
    s.fill("[data-testid=calc-year]", "4").await;
    s.click_until("[data-testid=calc-run]", "return !!document.querySelector('[data-testid=expl-reason]')").await;
    s.wait_text("政策规定房租补贴最长不超过三年").await;
    s.shot("32-rent-fourth-year").await;
    s.quit().await;
    assert!(ro(&w).check().unwrap().ok);
}
