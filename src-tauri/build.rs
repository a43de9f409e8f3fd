//! tauri-build for the desktop app. The app's commands are declared here, one inlined plugin per
//! domain (same names as core modules, CLI subcommands and UI views), so that the capability file
//! decides which window may call which command.

use tauri_build::{Attributes, DefaultPermissionRule, InlinedPlugin};

/// (domain, commands). Keep in step with `src-tauri/src/commands/<domain>.rs`.
const DOMAINS: &[(&str, &[&str])] = &[
    ("system", &["status", "set_lang", "finish_first_run", "office_get", "office_save", "check"]),
    (
        "enterprise",
        &[
            "search",
            "get",
            "detail",
            "validate",
            "create",
            "update",
            "set_status",
            "undo_preview",
            "undo",
            "redo_preview",
            "redo",
            "merge",
            "parks",
            "park_save",
            "sectors",
            "sectors_save",
            "export",
        ],
    ),
    (
        "cert",
        &[
            "kinds",
            "kind_save",
            "list",
            "add",
            "revoke",
            "reminders",
            "reminder_settings",
            "reminder_settings_save",
            "reminders_export",
            "reward_scan",
            "reward_confirm",
            "rewards",
            "reward_approve",
            "reward_add",
            "reward_reject",
            "reward_pay",
            "reward_revoke",
        ],
    ),
    ("dashboard", &["load"]),
    ("backup", &["list", "settings", "create", "choose_second_folder", "clear_second_folder", "restore", "recovery_plan", "recover"]),
    (
        "notice",
        &[
            "templates",
            "template_versions",
            "template_save",
            "placeholders",
            "target_for_grant",
            "draft",
            "preview_pdf",
            "issue",
            "list",
            "get",
            "pdf",
            "void",
            "correct",
            "register",
            "candidates",
            "batch_preview",
            "batch_issue",
            "batch_cancel",
            "combined_pdf",
            "save_as",
            "print",
            "verify",
            "verify_code",
            "target_for_reward",
            "publicity_unpublished",
            "publicity_create",
            "publicity_list",
            "publicity_object",
            "publicity_resolve",
            "publicity_close",
            "publicity_export",
        ],
    ),
    (
        "policy",
        &["info", "clauses", "clause_versions", "clause_edit", "programs", "budgets", "budget_set", "program_amount_set", "clause_official", "clauses_missing"],
    ),
    (
        "rent",
        &[
            "calc",
            "calc_for",
            "applications",
            "application_add",
            "leases",
            "lease_add",
            "growth",
            "growth_set",
            "grants",
            "grant",
            "draft",
            "submit",
            "recalculate",
            "approve",
            "approve_many",
            "reject",
            "pay",
            "revoke",
            "rules",
            "rules_save",
            "timeline",
        ],
    ),
    ("import", &["kinds", "choose_file", "analyze", "commit", "cancel", "close", "rows", "export_errors", "undo", "batches", "batch"]),
];

fn main() {
    let mut attrs = Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*");
    for (domain, commands) in DOMAINS {
        attrs = attrs.plugin(domain, InlinedPlugin::new().commands(commands).default_permission(DefaultPermissionRule::AllowAllCommands));
    }
    tauri_build::try_build(attrs).expect("failed to run tauri-build");
}
