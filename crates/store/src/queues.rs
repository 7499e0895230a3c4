//! The sections of each role's work queue ("what needs me now"), each one query.

use crate::rows::date;
use crate::{Error, Tx};
use chrono::NaiveDate;

/// Sections whose rows are items: (item, number, title, what the row is about).
#[derive(Debug, Clone, Copy)]
pub enum ItemSection {
    /// The office: submitted items awaiting review and filing.
    ToFile { org_id: i64 },
    /// The office: filed items awaiting assignment.
    ToAssign { org_id: i64 },
    /// The office: sent replies whose disclosure is public or summary, not yet published.
    ToPublish { org_id: i64 },
    /// A proposer: their drafts and items returned to them.
    Drafts { user_id: i64 },
    /// A proposer: items they are invited to co-sign.
    Cosign { user_id: i64 },
}

pub struct ItemLine {
    pub item_id: i64,
    pub number: Option<i64>,
    pub title: String,
    pub detail: String,
}

pub async fn items(tx: &mut Tx, s: ItemSection, limit: i64) -> Result<Vec<ItemLine>, Error> {
    let (sql, bind) = match s {
        ItemSection::ToFile { org_id } => ("SELECT i.id, i.number, i.title, COALESCE(i.collective_name, u.display_name) FROM items i JOIN users u ON u.id = i.first_proposer_id WHERE i.org_id = $1 AND i.state = 'submitted' ORDER BY i.submitted_on, i.id LIMIT $2", org_id),
        ItemSection::ToAssign { org_id } => ("SELECT i.id, i.number, i.title, COALESCE(c.name, '') FROM items i LEFT JOIN categories c ON c.id = i.category_id WHERE i.org_id = $1 AND i.state = 'filed' ORDER BY i.number LIMIT $2", org_id),
        ItemSection::ToPublish { org_id } => ("SELECT i.id, i.number, i.title, un.name FROM documents d JOIN assignments a ON a.id = d.assignment_id JOIN items i ON i.id = a.item_id JOIN units un ON un.id = a.unit_id
             WHERE i.org_id = $1 AND d.state = 'sent' AND d.disclosure IN ('public', 'summary') AND NOT EXISTS (SELECT 1 FROM publications p WHERE p.document_id = d.id) ORDER BY d.sent_on, d.id LIMIT $2", org_id),
        ItemSection::Drafts { user_id } => ("SELECT i.id, i.number, i.title, i.state FROM items i WHERE i.first_proposer_id = $1 AND i.state IN ('draft', 'returned') ORDER BY i.updated_at DESC LIMIT $2", user_id),
        ItemSection::Cosign { user_id } => ("SELECT i.id, i.number, i.title, u.display_name FROM item_proposers p JOIN items i ON i.id = p.item_id JOIN users u ON u.id = i.first_proposer_id
             WHERE p.user_id = $1 AND p.status = 'invited' AND i.state IN ('draft', 'submitted', 'returned') ORDER BY i.id LIMIT $2", user_id),
    };
    let rows: Vec<(i64, Option<i64>, String, String)> = sqlx::query_as(sql)
        .bind(bind)
        .bind(limit)
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(item_id, number, title, detail)| ItemLine {
            item_id,
            number,
            title,
            detail,
        })
        .collect())
}

/// Sections whose rows are assignments (their clocks come with them).
#[derive(Debug, Clone, Copy)]
pub enum WorkSection {
    /// The office: units' requests to be relieved of an assignment.
    Adjustments { org_id: i64 },
    /// The office: pending extension requests.
    Extensions { org_id: i64 },
    /// The office: signed replies held for its check.
    ToCheck { org_id: i64 },
    /// The office: open work past its deadline, most overdue first.
    Overdue { org_id: i64, today: NaiveDate },
    /// A unit: new assignments to accept (or to ask to adjust).
    NewAssignments { unit_id: i64 },
    /// A unit: co-opinions to draft.
    CoOpinions { unit_id: i64 },
    /// A unit: replies to draft.
    Replies { unit_id: i64 },
    /// A sub-unit: work its parent delegated to it.
    Delegated { unit_id: i64 },
    /// A unit's signer: drafts to sign now.
    ToApprove { unit_id: i64 },
    /// A unit's signer: lead reply drafts that wait for a co-opinion (会签) before they may be
    /// signed (the rule of `banli_domain::rights::awaited_co_opinions`).
    AwaitingCoOpinions { unit_id: i64 },
}

/// A lead reply draft whose item still has a live co-handling assignment without a sent or
/// waived co-opinion (`banli_domain::lifecycle::co_opinions_complete`).
const WAITS_FOR_CO: &str = "a.role = 'lead' AND d.kind = 'reply' AND EXISTS (SELECT 1 FROM assignments c WHERE c.item_id = a.item_id AND c.role = 'co' AND c.state NOT IN ('returned', 'co_opinion_sent', 'waived'))";

const DUE: &str =
    "COALESCE(a.rehandling_reply_by, a.extended_reply_by, a.reply_by, a.co_opinion_by)";

/// The assignments of a section, in the section's order.
pub async fn assignments(tx: &mut Tx, s: WorkSection, limit: i64) -> Result<Vec<i64>, Error> {
    let (sql, bind, day): (String, i64, Option<NaiveDate>) = match s {
        WorkSection::Adjustments { org_id } => ("SELECT a.id FROM assignments a JOIN items i ON i.id = a.item_id WHERE i.org_id = $1 AND a.state = 'return_requested' ORDER BY a.id LIMIT $2".into(), org_id, None),
        WorkSection::Extensions { org_id } => ("SELECT a.id FROM assignments a JOIN items i ON i.id = a.item_id JOIN extensions e ON e.assignment_id = a.id WHERE i.org_id = $1 AND e.state = 'pending' ORDER BY e.id LIMIT $2".into(), org_id, None),
        WorkSection::ToCheck { org_id } => ("SELECT a.id FROM assignments a JOIN items i ON i.id = a.item_id JOIN documents d ON d.assignment_id = a.id WHERE i.org_id = $1 AND d.state = 'checking' ORDER BY d.id LIMIT $2".into(), org_id, None),
        WorkSection::Overdue { org_id, today } => (format!("SELECT a.id FROM assignments a JOIN items i ON i.id = a.item_id WHERE i.org_id = $1 AND a.state IN ('assigned', 'accepted', 'rehandling')
             AND {DUE} < $3 ORDER BY {DUE} LIMIT $2"), org_id, Some(today)),
        WorkSection::NewAssignments { unit_id } => ("SELECT id FROM assignments WHERE unit_id = $1 AND state = 'assigned' ORDER BY return_by, id LIMIT $2".into(), unit_id, None),
        WorkSection::CoOpinions { unit_id } => ("SELECT a.id FROM assignments a WHERE a.unit_id = $1 AND a.role = 'co' AND a.state IN ('accepted', 'rehandling')
             AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.assignment_id = a.id AND d.kind = 'co_opinion' AND d.state = 'draft') ORDER BY a.co_opinion_by, a.id LIMIT $2".into(), unit_id, None),
        WorkSection::Replies { unit_id } => ("SELECT a.id FROM assignments a WHERE a.unit_id = $1 AND a.role IN ('lead', 'separate') AND a.state IN ('accepted', 'rehandling')
             AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.assignment_id = a.id AND d.kind = 'reply' AND d.state IN ('draft', 'checking')) ORDER BY COALESCE(a.rehandling_reply_by, a.extended_reply_by, a.reply_by), a.id LIMIT $2".into(), unit_id, None),
        WorkSection::Delegated { unit_id } => ("SELECT a.id FROM delegations d JOIN assignments a ON a.id = d.assignment_id JOIN items i ON i.id = a.item_id
             WHERE d.unit_id = $1 AND a.state IN ('accepted', 'rehandling') AND i.state IN ('handling', 'replied') ORDER BY d.due_on, a.id LIMIT $2".into(), unit_id, None),
        WorkSection::ToApprove { unit_id } => (format!("SELECT a.id FROM assignments a JOIN documents d ON d.assignment_id = a.id WHERE a.unit_id = $1 AND d.state = 'draft' AND NOT ({WAITS_FOR_CO}) ORDER BY d.updated_at, d.id LIMIT $2"), unit_id, None),
        WorkSection::AwaitingCoOpinions { unit_id } => (format!("SELECT a.id FROM assignments a JOIN documents d ON d.assignment_id = a.id WHERE a.unit_id = $1 AND d.state = 'draft' AND {WAITS_FOR_CO} ORDER BY d.updated_at, d.id LIMIT $2"), unit_id, None),
    };
    let mut q = sqlx::query_as::<_, (i64,)>(&sql).bind(bind).bind(limit);
    if let Some(d) = day {
        q = q.bind(crate::rows::day(d));
    }
    Ok(q.fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|r| r.0)
        .collect())
}

/// Sections whose rows carry a clock of their own (from `start` to `due`).
#[derive(Debug, Clone, Copy)]
pub enum DatedSection {
    /// A unit: its open commitments.
    UnitCommitments { unit_id: i64 },
    /// A proposer: sent replies to rate.
    ToRate { user_id: i64 },
    /// A proposer: open commitments made to them.
    ProposerCommitments { user_id: i64 },
}

pub struct DatedLine {
    pub line: ItemLine,
    pub start: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub provisional: bool,
}

pub async fn dated(tx: &mut Tx, s: DatedSection, limit: i64) -> Result<Vec<DatedLine>, Error> {
    let (sql, bind) = match s {
        DatedSection::UnitCommitments { unit_id } => ("SELECT i.id, i.number, i.title, c.text, d.sent_on, c.due_on, 0 FROM commitments c JOIN documents d ON d.id = c.document_id JOIN assignments a ON a.id = d.assignment_id JOIN items i ON i.id = a.item_id
             WHERE c.unit_id = $1 AND c.status = 'open' AND d.state IN ('sent', 'superseded') ORDER BY c.due_on, c.id LIMIT $2", unit_id),
        DatedSection::ToRate { user_id } => ("SELECT i.id, i.number, i.title, un.name, d.sent_on, d.evaluation_due, d.evaluation_provisional FROM documents d JOIN assignments a ON a.id = d.assignment_id JOIN items i ON i.id = a.item_id JOIN units un ON un.id = a.unit_id
             WHERE i.first_proposer_id = $1 AND d.kind = 'reply' AND d.state = 'sent' AND i.state <> 'closed' AND NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.document_id = d.id) ORDER BY d.sent_on, d.id LIMIT $2", user_id),
        DatedSection::ProposerCommitments { user_id } => ("SELECT i.id, i.number, i.title, c.text || '（' || c.percent || '%）', d.sent_on, c.due_on, 0 FROM commitments c JOIN documents d ON d.id = c.document_id JOIN assignments a ON a.id = d.assignment_id JOIN items i ON i.id = a.item_id
             JOIN item_proposers p ON p.item_id = i.id WHERE p.user_id = $1 AND p.status IN ('first', 'confirmed', 'paper') AND c.status = 'open' AND d.state IN ('sent', 'superseded') ORDER BY c.due_on, c.id LIMIT $2", user_id),
    };
    type Row = (
        i64,
        Option<i64>,
        String,
        String,
        Option<String>,
        Option<String>,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(sql)
        .bind(bind)
        .bind(limit)
        .fetch_all(&mut **tx)
        .await?;
    rows.into_iter()
        .map(
            |(item_id, number, title, detail, start, due, provisional)| {
                Ok(DatedLine {
                    line: ItemLine {
                        item_id,
                        number,
                        title,
                        detail,
                    },
                    start: start.as_deref().map(date).transpose()?,
                    due: due.as_deref().map(date).transpose()?,
                    provisional: provisional == 1,
                })
            },
        )
        .collect()
}
