//! The run: read, validate and (when committing) write every row, in one function for the dry run
//! and the commit, so that what the preview says is what the commit does.

use super::*;

/// Read, validate and (when `commit` is given) write. One function for the dry run and the real
/// run, so that what the preview says is what the commit does.
///
/// The page cache is 16 MB during an import (32 MB otherwise): a file's rows are looked up and
/// written once each, so a larger cache only costs memory (32 MB and 400 MB measured no faster).
pub(super) fn run(db: &mut Db, path: &Path, opts: &ImportOptions, commit: bool, progress: &dyn Progress) -> Result<ImportReport> {
    db.set_cache_kib(IMPORT_CACHE_KIB)?;
    let report = run_with(db, path, opts, commit, progress);
    db.set_cache_kib(crate::store::CACHE_KIB)?;
    report
}

pub(super) fn run_with(db: &mut Db, path: &Path, opts: &ImportOptions, commit: bool, progress: &dyn Progress) -> Result<ImportReport> {
    progress.report("open", 0, 0);
    let mut book = read::open(path)?;
    // The file's SHA-256 (its identity in the batch list, "imported before?") is computed on a
    // thread of its own while the file is read: it is only needed once the rows are through.
    let mut hash = Hash::start(path);
    let mut table = find_table(&mut book, opts)?;
    let park = opts.park.clone().map(|p| text::clean(&p)).filter(|p| !p.is_empty()).or(table.park_hint.clone());
    let remembered: Option<HashMap<String, Option<String>>> = if opts.auto_columns == Some(true) {
        None
    } else {
        let key = park_key(db.conn(), park.as_deref())?;
        isql::profile(db.conn(), key, table.kind.as_str())?.and_then(|s| serde_json::from_str(&s).ok())
    };
    apply_choices(table.kind, &mut table.columns, remembered.as_ref(), opts.columns.as_ref());
    let kind = table.kind;
    let cols = Columns::new(kind, &table.columns, crate::store::cert::kinds(db.conn())?);
    let (mapping, unknown_columns, missing_columns) = column_report(&table, &cols, opts);
    let header_row = table.header_row;
    let sheet = table.sheet.clone();
    let file_name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    tell_amount_columns(&mut book, &table);
    book.check_declared_cells(&sheet)?;
    let mut st = RunState { known: esql::all_usccs(db.conn())?, ..Default::default() };
    // A file that brings many enterprises relative to the registry: build the registry's indexes
    // once at the end instead of inserting into them row by row.
    let estimate = book.estimated_rows(&sheet);
    let bulk = commit && kind == Kind::Enterprises && estimate >= BULK_MIN_ROWS && estimate >= (st.known.len() as u64).saturating_mul(2);
    // The rows below the header, as the file declares them: the progress bar's total (a lying
    // dimension only makes the bar jump; it is capped at 100 %).
    let expected = estimate.saturating_sub(u64::from(header_row));
    // The report holds a line per data row: sized once (growing it copies every line again). A
    // dimension may lie, so only up to a bound; past it the list grows as it needs.
    st.rows.reserve(expected.min(REPORT_RESERVE_MAX) as usize);
    let mut run = Run::new(&table, cols, park.as_deref(), opts, book.format == read::Format::Csv, commit, esql::merged_away(db.conn())?);
    // A resubmission (the registry knows about as many codes as the file has rows) places its
    // rows cheaply too: checked by the placing thread, as in a dry run.
    run.check_on_writer |= !bulk && expected <= st.known.len() as u64;
    if kind == Kind::RentApplications {
        run.eligible = crate::store::rent::current_rule(db.conn())?.map(|v| v.rules.eligible_certifications).unwrap_or_default();
    }

    let deferred = if commit { crate::backup::BeforeFirstChange::new(db)? } else { None };
    let mapping_json = serde_json::to_string(&table.columns.iter().map(|c| (c.column.clone(), c.field.clone())).collect::<std::collections::BTreeMap<_, _>>())?;
    let mut batch_id = None;
    let (sha, previous);
    if bulk {
        // Both threads of a bulk import are busy to the end: hashing beside them only slows the
        // writer (measured: +10 % on a 100k first import). Finished here, before they start.
        hash.get()?;
    }
    if commit {
        let mut hashed = None;
        let kind_s = kind.as_str();
        let job = |tx: &mut Tx<'_>| -> Result<i64> {
            let park_id = match &park {
                Some(p) => Some(esql::park_id_for(tx, p)?),
                None => None,
            };
            let id = isql::insert_batch(tx, &file_name, "", kind_s, park_id, &sheet, header_row, &mapping_json)?;
            tx.set_batch(Some(id));
            let suspended = if bulk { esql::suspend_indexes(tx)? } else { vec![] };
            let mut sink = Sink::Commit { tx, batch: id, park_id, backup: deferred };
            run.pass(&mut book, &sheet, header_row, &mut sink, &mut st, expected, progress)?;
            let Sink::Commit { tx, .. } = sink else { unreachable!("a commit's sink") };
            esql::rebuild_indexes(tx, &suspended)?;
            // 取消 pressed after the last progress check (a small file has none): nothing is kept.
            if progress.cancelled() {
                return Err(Error::Cancelled);
            }
            let s = serde_json::to_string(&json!({"file": file_name, "kind": kind_s, "summary": &st.summary}))?;
            let sha = hash.get()?;
            // Looked up before this batch has its hash: an earlier import of the same file.
            let previous = previous_of(tx.conn(), &sha)?;
            isql::finish_batch(tx, id, &sha, &s)?;
            hashed = Some((sha, previous));
            isql::save_profile(tx, park_id.unwrap_or(0), kind_s, &mapping_json)?;
            Ok(id)
        };
        // A bulk import writes most of the file anew: a rollback journal spares writing it twice.
        // Its backup is taken first (in rollback-journal mode a second connection could not read
        // beside the writer; the registry is small against the file anyway). Any other import
        // backs up at its first change, if it makes one.
        let id = if bulk {
            crate::backup::before_import(db, progress)?;
            db.write_bulk(job)?
        } else {
            db.write(job)?
        };
        batch_id = Some(id);
        (sha, previous) = hashed.expect("the committed batch was hashed");
    } else {
        run.pass(&mut book, &sheet, header_row, &mut Sink::DryRun(db.conn()), &mut st, expected, progress)?;
        sha = hash.get()?;
        previous = previous_of(db.conn(), &sha)?;
    }
    let RunState { summary, rows, processed, new_enterprises, .. } = st;
    progress.report("done", processed, processed);
    let disappeared = disappeared(db, park.as_deref(), kind, batch_id, &run.cols, &rows)?;
    Ok(ImportReport {
        file: path.display().to_string(),
        file_sha256: sha,
        format: book.format.as_str().into(),
        encoding: book.encoding.map(String::from),
        sheet: table.sheet,
        sheets: table.sheets,
        kind,
        header_row,
        park,
        mapping,
        columns: table.columns,
        unknown_columns,
        missing_columns,
        summary,
        rows,
        disappeared,
        new_enterprises: new_enterprises.len() as u64,
        previous_import: previous,
        dry_run: !commit,
        batch_id,
    })
}

/// The mapping as the report states it, the columns the import does not know (one set aside by
/// choice, now or at the park's last file, is known) and the required fields no column holds.
fn column_report(table: &Table, cols: &Columns, opts: &ImportOptions) -> (Vec<MappingEntry>, Vec<String>, Vec<String>) {
    let mapping =
        table.columns.iter().filter_map(|c| c.field.clone().map(|f| MappingEntry { column: c.column.clone(), field: f, unit: c.unit.clone() })).collect();
    let chosen = |i: u32| opts.columns.as_ref().is_some_and(|ch| ch.iter().any(|c| c.index == i));
    let unknown = table
        .columns
        .iter()
        .filter(|c| c.field.is_none() && !c.remembered && !chosen(c.index) && !schema::is_ignored_header(&c.column))
        .map(|c| c.column.clone())
        .collect();
    let missing = table.kind.fields().iter().filter(|f| f.required && !cols.by_field.contains_key(f.name)).map(|f| f.label_zh.to_string()).collect();
    (mapping, unknown, missing)
}

/// The reader's part of the column mapping: which columns hold amounts (a 万 in their number
/// format counts) and which merged amounts belong to their first row only.
fn tell_amount_columns(book: &mut read::Book, table: &Table) {
    let kind = table.kind;
    book.amounts_in(
        table
            .columns
            .iter()
            .filter(|c| c.field.as_deref().and_then(|f| kind.field(f)).is_some_and(|f| f.ty == schema::FieldType::Money && f.name != "unit_rent_fen"))
            .map(|c| c.index)
            .collect(),
    );
    book.merged_once(table.columns.iter().filter(|c| matches!(c.field.as_deref(), Some("requested_fen" | "annual_rent_fen"))).map(|c| c.index).collect());
}

/// The file's SHA-256, computed on a thread of its own from [`Hash::start`] until [`Hash::get`].
struct Hash {
    running: Option<std::thread::JoinHandle<Result<String>>>,
    done: Option<String>,
}

impl Hash {
    fn start(path: &Path) -> Hash {
        let path = path.to_path_buf();
        Hash { running: Some(std::thread::spawn(move || sha256_file(&path))), done: None }
    }

    fn get(&mut self) -> Result<String> {
        if let Some(h) = self.running.take() {
            self.done = Some(h.join().map_err(|_| Error::Internal("the hashing thread failed".into()))??);
        }
        Ok(self.done.clone().unwrap_or_default())
    }
}

/// The last import of the same file (by its SHA-256), not undone.
fn previous_of(conn: crate::store::Conn<'_>, sha: &str) -> Result<Option<PreviousImport>> {
    Ok(isql::batch_by_sha(conn, sha)?.map(|b| PreviousImport { batch_id: b.id, at: b.created_at, by: b.created_by }))
}

/// A park's resubmission of any kind: who was in its previous file of that kind and is not now.
/// Still in the file are the accepted rows, and the rejected ones by the code in their cell (a
/// row with a wrong date has not left the park).
fn disappeared(db: &Db, park: Option<&str>, kind: Kind, batch_id: Option<i64>, cols: &Columns, rows: &[RowReport]) -> Result<Vec<Disappeared>> {
    let Some(p) = park else { return Ok(vec![]) };
    let Some(pk) = esql::park_id_by_name(db.conn(), p)? else { return Ok(vec![]) };
    let Some((_, prev)) = isql::previous_park_batch(db.conn(), pk, kind.as_str(), batch_id)? else { return Ok(vec![]) };
    let uscc_col = cols.by_field.get("uscc").map(|c| c.0);
    let now: std::collections::HashSet<String> = rows
        .iter()
        .filter_map(|r| match &r.record {
            Some(rec) => Some(rec.uscc().to_string()),
            None => uscc_col.and_then(|i| r.cells.get(i)).map(crate::uscc::normalize),
        })
        .collect();
    Ok(prev.into_iter().filter(|(u, _)| !now.contains(u.as_str())).map(|(uscc, name)| Disappeared { uscc, name }).collect())
}

/// Where the writing thread sends accepted rows: into the batch's transaction, or (a dry run)
/// nowhere, planning them against a read connection.
enum Sink<'s, 'c> {
    /// `backup`: not yet taken (see [`crate::backup::BeforeFirstChange`]); taken before the
    /// first row that changes the ledger.
    Commit {
        tx: &'s mut Tx<'c>,
        batch: i64,
        park_id: Option<i64>,
        backup: Option<crate::backup::BeforeFirstChange>,
    },
    DryRun(crate::store::Conn<'s>),
}

/// What one run knows once its table is found: the columns, the park, the user's edits, the
/// merged codes. Shared by the reading thread (`check_row`) and the writing one (`place_row`).
struct Run<'a> {
    cols: Columns,
    kind: Kind,
    park: Option<&'a str>,
    commit: bool,
    edits: HashMap<(u32, String), String>,
    edit_cols: HashMap<&'static str, usize>,
    is_csv: bool,
    /// A rejected row is shown (and exported) as the table's columns: cells right of the last
    /// header hold nothing of the table and are not kept (a CSV line longer than its header keeps
    /// them, to show what moved).
    width: usize,
    /// A CSV line is longer than its header when it has cells past the header record's own.
    csv_width: usize,
    /// Amount columns (a CSV line may have split one at its thousands comma).
    money_cols: Vec<(usize, String)>,
    /// Codes of enterprises merged into another: a row naming one is refused (see merged_error).
    merged: HashMap<String, (String, String)>,
    /// A rent file: the certification kinds of the current rent rule (what a row's enterprise
    /// needs to be paid, see `plan::rent_checks`).
    eligible: Vec<String>,
    /// Rows are checked by the thread that places them, not the one that reads (see `pass`).
    check_on_writer: bool,
}

impl<'a> Run<'a> {
    fn new(
        table: &Table,
        cols: Columns,
        park: Option<&'a str>,
        opts: &ImportOptions,
        is_csv: bool,
        commit: bool,
        merged: HashMap<String, (String, String)>,
    ) -> Run<'a> {
        let kind = table.kind;
        let width = table.columns.iter().map(|c| c.index as usize + 1).max().unwrap_or(0);
        let money_cols = table
            .columns
            .iter()
            .filter(|c| c.field.as_deref().and_then(|f| kind.field(f)).is_some_and(|f| f.ty == schema::FieldType::Money))
            .map(|c| (c.index as usize, c.column.clone()))
            .collect();
        Run {
            edits: opts.edits.iter().map(|e| ((e.row, e.field.clone()), e.value.clone())).collect(),
            edit_cols: cols.by_field.iter().map(|(f, c)| (*f, c.0)).collect(),
            cols,
            kind,
            park,
            commit,
            is_csv,
            width,
            csv_width: width.max(table.header_width),
            money_cols,
            merged,
            eligible: Vec::new(),
            check_on_writer: !commit,
        }
    }

    /// Every row below the header through two threads: one reads and checks rows (the file),
    /// the other plans and writes them (the database), in file order through a bounded channel.
    #[allow(clippy::too_many_arguments)] // the book, where to read, where to write, what to fill, how to report
    fn pass(
        &self,
        book: &mut read::Book,
        sheet: &str,
        header_row: u32,
        sink: &mut Sink<'_, '_>,
        st: &mut RunState,
        expected: u64,
        progress: &dyn Progress,
    ) -> Result<()> {
        let RunState { summary, rows, first_of, processed, known, new_enterprises } = st;
        // Where rows are checked: the reading thread parses the file, the other one places rows.
        // A dry run or a file the registry mostly knows (a resubmission) places rows cheaply: the
        // check goes to that thread, and parsing alone sets the pace. A file of mostly new rows
        // keeps the writer busy inserting: the reader checks.
        let (reader_first, mut writer_first) = if self.check_on_writer { (None, Some(first_of)) } else { (Some(first_of), None) };
        let mut skipped = 0u64;
        std::thread::scope(|scope| -> Result<()> {
            let (send, recv) = std::sync::mpsc::sync_channel::<Vec<Handed>>(8);
            let reader = scope.spawn(move || self.read_rows(book, sheet, header_row, reader_first, send));
            let mut outcome: Result<()> = Ok(());
            for h in recv.iter().flatten() {
                let v = match h {
                    Handed::Checked(v) => v,
                    Handed::Raw(n, raw) => match self.check_row(n, &raw, writer_first.as_deref_mut().expect("checked here"), Some(known)) {
                        Some(v) => v,
                        None => {
                            skipped += 1;
                            continue;
                        }
                    },
                };
                let Validated { row: n, rec, errors, cells, fresh } = v;
                *processed += 1;
                if processed.is_multiple_of(2000) {
                    if progress.cancelled() {
                        outcome = Err(Error::Cancelled);
                        break;
                    }
                    progress.report(if matches!(sink, Sink::Commit { .. }) { "commit" } else { "validate" }, *processed, expected);
                }
                summary.rows += 1;
                if !errors.is_empty() {
                    summary.rejected += 1;
                    rows.push(rejected(n, errors, cells, vec![]));
                    continue;
                }
                let rec = rec.expect("no errors means a record");
                let (p, refused, warnings) = match self.place_row(sink, known, n, &rec, fresh, progress) {
                    Ok(p) => p,
                    Err(e) => {
                        outcome = Err(e);
                        break;
                    }
                };
                if let Some(e) = refused {
                    summary.rejected += 1;
                    rows.push(rejected(n, vec![e], cells, warnings));
                    continue;
                }
                summary.accepted += 1;
                match p.action {
                    Action::New => summary.new += 1,
                    Action::Updated => summary.updated += 1,
                    Action::Unchanged => summary.unchanged += 1,
                }
                let new_enterprise = self.kind != Kind::Enterprises && p.enterprise.is_none() && new_enterprises.insert(rec.uscc().to_string());
                rows.push(RowReport {
                    row: n,
                    status: RowStatus::Accepted,
                    record: Some(Box::new(rec)),
                    errors: vec![],
                    action: Some(p.action),
                    changes: p.changes,
                    cells: Cells::default(),
                    new_enterprise,
                    warnings,
                });
            }
            drop(recv);
            let read = reader.join().map_err(|_| Error::Internal("the reading thread failed".into()))?;
            outcome?;
            summary.skipped += read? + skipped;
            Ok(())
        })
    }

    /// The reading thread: every row below the header, checked here (`first_of` given) or handed
    /// over as it is, in chunks. Returns the rows that were not data rows.
    fn read_rows(
        &self,
        book: &mut read::Book,
        sheet: &str,
        header_row: u32,
        mut first_of: Option<&mut HashMap<String, u32>>,
        send: std::sync::mpsc::SyncSender<Vec<Handed>>,
    ) -> Result<u64> {
        let mut skipped = 0u64;
        let mut chunk: Vec<Handed> = Vec::with_capacity(CHUNK);
        book.for_each_row(sheet, |n, raw| {
            if n <= header_row {
                return Ok(true);
            }
            match first_of.as_deref_mut() {
                // The row itself, not a copy: the reader starts the next one afresh.
                None => chunk.push(Handed::Raw(n, std::mem::take(raw))),
                Some(first_of) => match self.check_row(n, raw, first_of, None) {
                    Some(v) => chunk.push(Handed::Checked(v)),
                    None => skipped += 1,
                },
            }
            if chunk.len() < CHUNK {
                return Ok(true);
            }
            // The writer stopped (an error or a cancel): stop reading.
            Ok(send.send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK))).is_ok())
        })?;
        if !chunk.is_empty() {
            let _ = send.send(chunk);
        }
        Ok(skipped)
    }

    /// The reading thread's work on one row: the user's edits applied, the row checked field by
    /// field, a CSV line's moved cells, merged codes, duplicates in the file (found here, in file
    /// order), and for a commit the new registry entry it would make. None: not a data row.
    /// `known`: the registry's codes, when the check runs beside them (a known code needs no new
    /// entry prepared).
    fn check_row(&self, n: u32, raw: &[Cell], first_of: &mut HashMap<String, u32>, known: Option<&std::collections::HashSet<String>>) -> Option<Validated> {
        let (cols, width, csv_width) = (&self.cols, self.width, self.csv_width);
        let mut owned;
        let mut cells: &[Cell] = raw;
        if self.edits.keys().any(|(r, _)| *r == n) {
            owned = raw.to_vec();
            for ((_, field), value) in self.edits.iter().filter(|((r, _), _)| *r == n) {
                if let Some(&i) = self.edit_cols.get(field.as_str()) {
                    if owned.len() <= i {
                        owned.resize(i + 1, Cell::Empty);
                    }
                    owned[i] = Cell::Text(value.clone());
                }
            }
            cells = &owned;
        }
        if validate::classify(cells) != RowClass::Data {
            return None;
        }
        let (mut rec, mut errors) = validate::validate_row(cols, cells);
        // A CSV line with more cells than its header: an amount or address with an unquoted
        // comma, and every cell after it has moved one column right.
        let beyond = if self.is_csv { cells.iter().skip(csv_width).filter(|c| !c.is_empty()).count() } else { 0 };
        if beyond > 0 {
            errors.insert(0, extra_cells_error(&cells[csv_width..], csv_width));
            rec = None;
        } else if self.is_csv && cells.iter().skip(width).any(|c| !c.is_empty()) {
            // Past the named columns but under blank header cells: a note, unless an amount was
            // split at an unquoted thousands comma (1,000 → "1" | "000").
            if let Some((i, col)) = self.money_cols.iter().find(|(i, _)| thousands_split(cells.get(*i), cells.get(*i + 1))) {
                errors.insert(0, split_amount_error(col, &cells[*i].display(), &cells[*i + 1].display()));
                rec = None;
            }
        }
        // A code the registry merged into another enterprise: its data belongs there.
        if let Some((name, code)) = rec.as_ref().and_then(|r| self.merged.get(r.uscc())) {
            errors.push(merged_error(cols, rec.as_ref().map(|r| r.uscc()).unwrap_or_default(), name, code));
        }
        if let Some(r) = &rec {
            let key = validate::dedupe_key(r);
            match first_of.get(&key) {
                Some(&first) => errors.push(duplicate_error(cols, r, first, cells)),
                None => {
                    first_of.insert(key, n);
                }
            }
        }
        // The table's cells, as many in every format (and a CSV line's extra ones). (A rent row
        // may still be refused by the ledger: its cells are kept too.)
        let shown = if errors.is_empty() && self.kind != Kind::RentApplications {
            Cells::default()
        } else {
            (0..width.max(if beyond > 0 { cells.len() } else { 0 })).map(|i| cells.get(i).map(|c| c.display()).unwrap_or_default()).collect()
        };
        // What a new enterprise would be stored as (the writer uses it when the registry does not
        // know the USCC): built here, off the writing thread.
        let fresh = match (&rec, errors.is_empty() && self.commit) {
            (Some(Record::Enterprise(r)), true) if !known.is_some_and(|k| k.contains(&r.uscc)) => {
                let record = enterprise_validated(None, &r.uscc, &r.name, Some(r), self.park);
                Some(Fresh { search_body: esql::search_body_of(&record), record })
            }
            _ => None,
        };
        Some(Validated { row: n, rec, errors, cells: shown, fresh })
    }

    /// The writing thread's work on a row the reader accepted: its plan against the registry, the
    /// ledger's checks (rent), and for a commit the write. Returns the plan, a refusal, warnings.
    fn place_row(
        &self,
        sink: &mut Sink<'_, '_>,
        known: &mut std::collections::HashSet<String>,
        n: u32,
        rec: &Record,
        fresh: Option<Fresh>,
        progress: &dyn Progress,
    ) -> Result<(Plan, Option<RowError>, Vec<RowError>)> {
        let conn = match sink {
            Sink::Commit { tx, .. } => tx.conn(),
            Sink::DryRun(c) => *c,
        };
        let p = plan(conn, known, rec, self.park)?;
        let (refused, warnings) = match rec {
            Record::Rent(r) => rent_checks(conn, &self.cols, &self.eligible, r, p.enterprise.as_ref())?,
            _ => (None, vec![]),
        };
        if refused.is_some() {
            return Ok((p, refused, warnings));
        }
        if let Sink::Commit { tx, batch, park_id, backup } = sink {
            // Anything but an unchanged row of a known enterprise changes the ledger.
            if p.action != Action::Unchanged || p.enterprise.is_none() {
                if let Some(b) = backup.take() {
                    b.take(progress)?;
                }
            }
            apply(tx, *batch, n, rec, &p, self.park, *park_id, fresh)?;
            // A later row may name the same enterprise (rent, certifications); an enterprise
            // file cannot (a second row with the USCC is a duplicate).
            if self.kind != Kind::Enterprises {
                known.insert(rec.uscc().to_string());
            }
        }
        Ok((p, None, warnings))
    }
}

/// A rejected row's line in the report.
fn rejected(row: u32, errors: Vec<RowError>, cells: Cells, warnings: Vec<RowError>) -> RowReport {
    RowReport { row, status: RowStatus::Rejected, record: None, errors, action: None, changes: vec![], cells, new_enterprise: false, warnings }
}

pub(super) fn duplicate_error(cols: &Columns, r: &Record, first: u32, cells: &[Cell]) -> RowError {
    // The code as the file writes it (the message gives it normalised).
    let written = cols.by_field.get("uscc").and_then(|c| cells.get(c.0)).map(|c| c.display()).filter(|s| !s.is_empty());
    RowError {
        code: "duplicate_in_file".into(),
        field: "uscc".into(),
        column: cols.kind.field("uscc").map(|f| cols.header(f)).unwrap_or_default(),
        value: written.unwrap_or_else(|| r.uscc().to_string()),
        message: format!("与第{first}行重复（{}）。同一内容只需填一行，请删除本行或核对代码。", same_as(r)),
        message_en: format!("Duplicates row {first} (USCC {}). Keep one row.", r.uscc()),
        duplicate_of_row: Some(first),
    }
}

/// A CSV line longer than its header (see the reading thread).
pub(super) fn extra_cells_error(extra: &[Cell], width: usize) -> RowError {
    let shown: Vec<String> = extra.iter().map(|c| c.display()).collect();
    let k = shown.len();
    let value = shown.join(",");
    RowError {
        code: "extra_cells".into(),
        field: String::new(),
        column: String::new(),
        message: format!("本行比表头多 {k} 格（第 {width} 列之后还有“{value}”）。多半是金额或地址中的逗号没有加引号，后面的内容都错位了。请在表格软件中改正本行（或给含逗号的内容加引号）后重新导出。"),
        message_en: format!("This line has {k} more cells than the header (after column {width}: “{value}”). An amount or address probably holds an unquoted comma, so the cells after it moved. Correct the line and export again."),
        value,
        duplicate_of_row: None,
    }
}

/// "1" | "000": an amount cut at its thousands comma (1-3 digits, then 3 digits).
pub(super) fn thousands_split(a: Option<&Cell>, b: Option<&Cell>) -> bool {
    let (Some(a), Some(b)) = (a, b) else { return false };
    let (a, b) = (a.display(), b.display());
    let a = a.trim().trim_start_matches(['￥', '¥', '-']);
    let (int, frac) = b.trim().split_once('.').unwrap_or((b.trim(), "0"));
    (1..=3).contains(&a.len())
        && a.bytes().all(|c| c.is_ascii_digit())
        && int.len() == 3
        && int.bytes().all(|c| c.is_ascii_digit())
        && frac.bytes().all(|c| c.is_ascii_digit())
}

pub(super) fn split_amount_error(column: &str, a: &str, b: &str) -> RowError {
    RowError {
        code: "extra_cells".into(),
        field: String::new(),
        column: column.to_string(),
        value: format!("{a},{b}"),
        message: format!("“{column}”的“{a}”和后一格的“{b}”像是一个带千分位逗号的金额（{a},{b}）没有加引号，本行后面的内容都错位了。请在表格软件中把这个金额改为不带逗号的数字（或加引号）后重新导出。"),
        message_en: format!("“{column}”: “{a}” and the next cell “{b}” look like one amount ({a},{b}) cut at an unquoted thousands comma, so the cells after it moved. Write the amount without the comma and export again."),
        duplicate_of_row: None,
    }
}

/// What makes two rows of a kind the same (validate::dedupe_key), in words.
pub(super) fn same_as(r: &Record) -> String {
    match r {
        Record::Enterprise(e) => format!("统一社会信用代码 {}", e.uscc),
        Record::Rent(x) => format!(
            "统一社会信用代码 {}，租期起 {}，第{}年的补贴",
            x.uscc,
            x.lease_start.as_deref().unwrap_or("未填"),
            x.subsidy_year.map(|y| y.to_string()).unwrap_or_else(|| "?".into())
        ),
        Record::Cert(c) => match &c.certificate_no {
            Some(no) => format!("统一社会信用代码 {}，同一认定类型，证书编号 {no}", c.uscc),
            None => format!("统一社会信用代码 {}，同一认定类型，发证日期 {}", c.uscc, c.issued_on.as_deref().unwrap_or("未填")),
        },
    }
}

pub(super) fn merged_error(cols: &Columns, uscc: &str, name: &str, code: &str) -> RowError {
    RowError {
        code: "merged_enterprise".into(),
        field: "uscc".into(),
        column: cols.kind.field("uscc").map(|f| cols.header(f)).unwrap_or_default(),
        value: uscc.to_string(),
        message: format!("代码 {uscc} 的企业已在台账中并入“{name}”（{code}）。请把本行的代码改为 {code}；若合并有误，先在企业台账中撤销合并。"),
        message_en: format!("The enterprise with code {uscc} was merged into “{name}” ({code}). Use {code}, or undo the merge first."),
        duplicate_of_row: None,
    }
}

/// Rows travel between the threads in chunks: a hand-over per row costs a thread wake-up per row.
const CHUNK: usize = 256;

/// What the reading thread hands over: a row it checked, or the row's cells for the other
/// thread to check (see `Run::pass`).
#[allow(clippy::large_enum_variant)] // a chunk is filled with one variant; a box per row would be an allocation per row
enum Handed {
    Checked(Validated),
    Raw(u32, Vec<Cell>),
}

/// A row once checked.
pub(super) struct Validated {
    pub(super) row: u32,
    pub(super) rec: Option<Record>,
    pub(super) errors: Vec<RowError>,
    /// The row's cells as text, kept only for rejected rows.
    pub(super) cells: Cells,
    /// An enterprise file's record as a new registry entry (commit only), prepared here.
    pub(super) fresh: Option<Fresh>,
}

/// A new registry entry and its search-index body, both made on the reading thread (the writer
/// uses them when the registry does not know the USCC).
pub(super) struct Fresh {
    pub(super) record: ValidEnterprise,
    pub(super) search_body: String,
}

#[derive(Default)]
pub(super) struct RunState {
    pub(super) summary: Summary,
    pub(super) rows: Vec<RowReport>,
    pub(super) first_of: HashMap<String, u32>,
    pub(super) processed: u64,
    /// USCCs already in the registry (and those this run added, for rent and certification files:
    /// an enterprise file names each USCC once).
    pub(super) known: std::collections::HashSet<String>,
    /// Enterprises a rent or certification file brings that the registry does not have.
    pub(super) new_enterprises: std::collections::HashSet<String>,
}

/// The dry run: what would happen, row by row. Writes nothing.
pub fn analyze(db: &mut Db, path: &Path, opts: &ImportOptions, progress: &dyn Progress) -> Result<ImportReport> {
    run(db, path, opts, false, progress)
}

/// Import: the accepted rows in ONE transaction, as a batch. Rejected rows are listed, not written.
/// The ledger is backed up before the import's first change (none when it changes nothing, or
/// when the registry is empty): see [`crate::backup::BeforeFirstChange`].
pub fn commit(db: &mut Db, path: &Path, opts: &ImportOptions, progress: &dyn Progress) -> Result<ImportReport> {
    if db.is_read_only() {
        return Err(Error::ReadOnly);
    }
    run(db, path, opts, true, progress)
}

/// The rejected rows as an xlsx the park can fix and resend: the original columns plus 错误说明.
pub fn export_rejected(report: &ImportReport, path: &Path) -> Result<u64> {
    use crate::export::{write_xlsx, Cell as X, Sheet};
    let mut headers: Vec<(&str, f64)> = vec![("行号", 8.0)];
    let width = report.columns.iter().map(|c| c.index as usize + 1).max().unwrap_or(0);
    let mut names: Vec<String> = vec![String::new(); width];
    for c in &report.columns {
        names[c.index as usize] = c.column.clone();
    }
    for n in &names {
        headers.push((n.as_str(), 18.0));
    }
    headers.push(("错误说明", 60.0));
    write_xlsx(path, &Sheet { name: "错误行", headers }, |sink| {
        for r in report.rows.iter().filter(|r| r.status == RowStatus::Rejected) {
            let mut cells = vec![X::Int(Some(r.row as i64))];
            for i in 0..width {
                cells.push(X::Text(r.cells.get(i).unwrap_or_default().to_string()));
            }
            cells.push(X::Text(r.errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("；")));
            sink(cells)?;
        }
        Ok(())
    })
}
