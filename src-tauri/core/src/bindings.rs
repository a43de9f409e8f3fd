//! TypeScript bindings for the UI (ui/src/bindings/), generated from the Rust types with ts-rs.
//! `cargo test` fails when the committed files are stale; `UPDATE_BINDINGS=1 cargo test -p huiqi-core
//! bindings` rewrites them.

use std::path::{Path, PathBuf};

use ts_rs::{Config, TS};

macro_rules! export_all {
    ($cfg:expr, $($t:ty),* $(,)?) => {{
        $( <$t as TS>::export_all($cfg).expect(stringify!($t)); )*
    }};
}

fn export(dir: &Path) {
    let cfg = Config::new().with_large_int("number").with_out_dir(dir);
    let cfg = &cfg;
    use crate::*;
    export_all!(
        cfg,
        i18n::Lang,
        error::ErrorPayload,
        progress::ProgressReport,
        store::CheckReport,
        store::AuditEvent,
        system::AppStatus,
        system::OfficeSettings,
        uscc::UsccProblem,
        enterprise::Enterprise,
        enterprise::EnterpriseRow,
        enterprise::EnterpriseInput,
        enterprise::EnterpriseQuery,
        enterprise::EnterprisePage,
        enterprise::EnterpriseDetail,
        enterprise::SaveResult,
        enterprise::FieldError,
        enterprise::Park,
        enterprise::MergePlan,
        enterprise::UndoResult,
        enterprise::UndoPreview,
        import::ImportOptions,
        import::ImportReport,
        import::RowReport,
        import::BatchInfo,
        import::BatchItem,
        import::UndoReport,
        import::Dependent,
        import::KindInfo,
        import::FileChoice,
        import::ReportHead,
        import::RowFilter,
        import::RowPage,
        import::schema::Kind,
        import::schema::ColumnMap,
        cert::kinds::CertKind,
        policy::Policy,
        policy::Clause,
        policy::ClauseListing,
        policy::ClauseEdit,
        policy::Program,
        policy::Budget,
        rent::RentRules,
        rent::RuleVersion,
        rent::RuleProblem,
        rent::CalcInput,
        rent::CalcResult,
        rent::Lease,
        rent::LeaseInput,
        rent::GrowthReport,
        rent::Application,
        rent::ApplicationInput,
        rent::Grant,
        rent::GrantStatus,
        rent::Payment,
        rent::BatchApproval,
        rent::Timeline,
        backup::BackupKind,
        backup::BackupFolder,
        backup::BackupInfo,
        backup::BackupReport,
        backup::PruneReport,
        backup::RestoreReport,
        backup::RecoveryPlan,
        backup::LossEstimate,
        backup::LostChange,
        backup::RejectedBackup,
        backup::BackupSettings,
        backup::RecordCounts,
        cert::Certification,
        cert::CertInput,
        cert::Milestone,
        cert::MilestoneKind,
        cert::ReminderSettings,
        cert::reward::Reward,
        cert::reward::RewardStatus,
        cert::reward::Proposal,
        cert::reward::Excluded,
        cert::reward::ScanResult,
        cert::reward::RewardPick,
        dashboard::Dashboard,
        notice::NoticeKind,
        notice::Template,
        notice::Placeholder,
        notice::Target,
        notice::ClauseSnapshot,
        notice::Draft,
        notice::Notice,
        notice::RegisterLine,
        notice::Verification,
        notice::Candidate,
        notice::BatchIssued,
        notice::publicity::Publicity,
        notice::publicity::PublicityInput,
        notice::publicity::ObjectionStatus,
    );
}

fn files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "ts") {
                out.push((p.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn bindings_are_fresh() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings");
    let tmp = tempfile::tempdir().unwrap();
    export(tmp.path());
    let fresh = files(tmp.path());
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        std::fs::create_dir_all(&committed).unwrap();
        for (p, text) in &fresh {
            let dst = committed.join(p);
            std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
            std::fs::write(dst, text).unwrap();
        }
        return;
    }
    let old = files(&committed);
    let names = |v: &Vec<(PathBuf, String)>| v.iter().map(|(p, _)| p.display().to_string()).collect::<Vec<_>>();
    assert_eq!(names(&old), names(&fresh), "ui/src/bindings is stale: run `UPDATE_BINDINGS=1 cargo test -p huiqi-core bindings`");
    for ((p, a), (_, b)) in old.iter().zip(fresh.iter()) {
        assert_eq!(a, b, "ui/src/bindings/{} is stale: run `UPDATE_BINDINGS=1 cargo test -p huiqi-core bindings`", p.display());
    }
}
