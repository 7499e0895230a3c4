//! The statistics of DESIGN §7 as pure formulas over per-item, per-assignment and
//! per-commitment facts. The store gathers the facts; every definition lives here.

use crate::model::{Grade, Rating};
use serde::Serialize;
use std::collections::BTreeMap;

/// A filed item (not merged, not_filed or withdrawn).
#[derive(Debug, Clone)]
pub struct ItemFact {
    pub item_id: i64,
    pub category: Option<String>,
}

/// A live lead or separate assignment of a filed item.
#[derive(Debug, Clone)]
pub struct AssignmentFact {
    pub item_id: i64,
    /// The unit counted: a sub-unit's work counts for its parent.
    pub unit_id: i64,
    pub category: Option<String>,
    /// At least one reply was sent.
    pub replied: bool,
    /// The first reply was sent by the due date in force (extended when approved).
    pub first_reply_on_time: bool,
    /// The due date has passed (counted for the on-time rate even without a reply).
    pub past_due: bool,
    /// An in-person consultation dated on or before the first reply.
    pub consulted_in_person: bool,
    /// The latest rating of the assignment.
    pub handling: Option<Rating>,
    pub result: Option<Rating>,
    /// The latest sent reply's rating window lapsed without a rating (未反馈).
    pub no_feedback: bool,
    /// The grade of the current (latest sent) reply.
    pub grade: Option<Grade>,
}

#[derive(Debug, Clone)]
pub struct CommitmentFact {
    pub unit_id: i64,
    pub category: Option<String>,
    pub due_passed: bool,
    pub done_on_time: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingCounts {
    pub satisfied: u64,
    pub basically_satisfied: u64,
    pub unsatisfied: u64,
    pub no_feedback: u64,
    /// 满意率 = satisfied ÷ ratings (未反馈 excluded); null without ratings.
    pub rate: Option<f64>,
    /// 基本满意率 = basically_satisfied ÷ ratings.
    pub basic_rate: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Satisfaction {
    pub handling: RatingCounts,
    pub result: RatingCounts,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GradeCounts {
    #[serde(rename = "A")]
    pub a: u64,
    #[serde(rename = "B")]
    pub b: u64,
    #[serde(rename = "C")]
    pub c: u64,
    #[serde(rename = "D")]
    pub d: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommitmentFigures {
    pub due: u64,
    pub done_on_time: u64,
    /// 办成率 = done by their due date ÷ due.
    pub completion_rate: Option<f64>,
}

/// The figures of one group (overall, a unit or a category). Rates are fractions 0..1, or
/// null where the denominator is zero.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    pub filed: u64,
    pub replied: u64,
    pub reply_rate: Option<f64>,
    pub on_time_rate: Option<f64>,
    pub consultation_rate: Option<f64>,
    pub satisfaction: Satisfaction,
    pub grades: GradeCounts,
    pub commitments: CommitmentFigures,
}

fn ratio(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

fn ratings(
    facts: &[&AssignmentFact],
    pick: impl Fn(&AssignmentFact) -> Option<Rating>,
) -> RatingCounts {
    let mut c = RatingCounts::default();
    for f in facts {
        match pick(f) {
            Some(Rating::Satisfied) => c.satisfied += 1,
            Some(Rating::BasicallySatisfied) => c.basically_satisfied += 1,
            Some(Rating::Unsatisfied) => c.unsatisfied += 1,
            None if f.no_feedback => c.no_feedback += 1,
            None => {}
        }
    }
    let n = c.satisfied + c.basically_satisfied + c.unsatisfied;
    c.rate = ratio(c.satisfied, n);
    c.basic_rate = ratio(c.basically_satisfied, n);
    c
}

/// The assignment-level figures shared by every grouping.
fn assignment_figures(a: &[&AssignmentFact], commitments: &[&CommitmentFact]) -> Figures {
    let replied: Vec<&AssignmentFact> = a.iter().copied().filter(|f| f.replied).collect();
    let countable = a.iter().filter(|f| f.replied || f.past_due).count() as u64;
    let on_time = a
        .iter()
        .filter(|f| f.replied && f.first_reply_on_time)
        .count() as u64;
    let consulted = replied.iter().filter(|f| f.consulted_in_person).count() as u64;
    let mut grades = GradeCounts::default();
    for f in &replied {
        match f.grade {
            Some(Grade::A) => grades.a += 1,
            Some(Grade::B) => grades.b += 1,
            Some(Grade::C) => grades.c += 1,
            Some(Grade::D) => grades.d += 1,
            None => {}
        }
    }
    let due = commitments.iter().filter(|c| c.due_passed).count() as u64;
    let done = commitments
        .iter()
        .filter(|c| c.due_passed && c.done_on_time)
        .count() as u64;
    Figures {
        filed: a.len() as u64,
        replied: replied.len() as u64,
        reply_rate: ratio(replied.len() as u64, a.len() as u64),
        on_time_rate: ratio(on_time, countable),
        consultation_rate: ratio(consulted, replied.len() as u64),
        satisfaction: Satisfaction {
            handling: ratings(&replied, |f| f.handling),
            result: ratings(&replied, |f| f.result),
        },
        grades,
        commitments: CommitmentFigures {
            due,
            done_on_time: done,
            completion_rate: ratio(done, due),
        },
    }
}

/// Item-level counting (overall and per category): an item is replied when every live
/// lead/separate assignment has a sent reply; a filed item with none is not replied.
fn item_figures(
    items: &[&ItemFact],
    a: &[&AssignmentFact],
    commitments: &[&CommitmentFact],
) -> Figures {
    let mut f = assignment_figures(a, commitments);
    let mut per_item: BTreeMap<i64, (usize, usize)> = BTreeMap::new();
    for x in a {
        let e = per_item.entry(x.item_id).or_default();
        e.0 += 1;
        e.1 += x.replied as usize;
    }
    let replied = items
        .iter()
        .filter(|i| {
            per_item
                .get(&i.item_id)
                .is_some_and(|(n, r)| n > &0 && n == r)
        })
        .count() as u64;
    f.filed = items.len() as u64;
    f.replied = replied;
    f.reply_rate = ratio(replied, items.len() as u64);
    f
}

pub fn overall(items: &[ItemFact], a: &[AssignmentFact], c: &[CommitmentFact]) -> Figures {
    item_figures(
        &items.iter().collect::<Vec<_>>(),
        &a.iter().collect::<Vec<_>>(),
        &c.iter().collect::<Vec<_>>(),
    )
}

/// Per unit: its live lead/separate assignments (the unit's filed and replied).
pub fn per_unit(a: &[AssignmentFact], c: &[CommitmentFact]) -> BTreeMap<i64, Figures> {
    let mut units: BTreeMap<i64, (Vec<&AssignmentFact>, Vec<&CommitmentFact>)> = BTreeMap::new();
    for f in a {
        units.entry(f.unit_id).or_default().0.push(f);
    }
    for f in c {
        units.entry(f.unit_id).or_default().1.push(f);
    }
    units
        .into_iter()
        .map(|(u, (a, c))| (u, assignment_figures(&a, &c)))
        .collect()
}

/// Per category, counted like the overall figures.
pub fn per_category(
    items: &[ItemFact],
    a: &[AssignmentFact],
    c: &[CommitmentFact],
) -> BTreeMap<String, Figures> {
    let key = |c: &Option<String>| c.clone().unwrap_or_else(|| "未分类".to_string());
    type Facts<'a> = (
        Vec<&'a ItemFact>,
        Vec<&'a AssignmentFact>,
        Vec<&'a CommitmentFact>,
    );
    let mut cats: BTreeMap<String, Facts> = BTreeMap::new();
    for i in items {
        cats.entry(key(&i.category)).or_default().0.push(i);
    }
    for f in a {
        cats.entry(key(&f.category)).or_default().1.push(f);
    }
    for f in c {
        cats.entry(key(&f.category)).or_default().2.push(f);
    }
    cats.into_iter()
        .map(|(k, (i, a, c))| (k, item_figures(&i, &a, &c)))
        .collect()
}

/// A ranking of units: on-time rate, then reply rate, then result satisfaction (nulls last).
pub fn rank(per_unit: &BTreeMap<i64, Figures>) -> Vec<i64> {
    let key = |f: &Figures| {
        (
            f.on_time_rate.unwrap_or(-1.0),
            f.reply_rate.unwrap_or(-1.0),
            f.satisfaction.result.rate.unwrap_or(-1.0),
        )
    };
    let mut ids: Vec<i64> = per_unit.keys().copied().collect();
    ids.sort_by(|a, b| {
        key(&per_unit[b])
            .partial_cmp(&key(&per_unit[a]))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.cmp(b))
    });
    ids
}

/// How ratings of one kind add up (the counts of [`RatingCounts`] before the rates).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RatingTally {
    pub satisfied: u64,
    pub basically_satisfied: u64,
    pub unsatisfied: u64,
    pub no_feedback: u64,
}

impl RatingTally {
    fn add(&mut self, o: &RatingTally) {
        self.satisfied += o.satisfied;
        self.basically_satisfied += o.basically_satisfied;
        self.unsatisfied += o.unsatisfied;
        self.no_feedback += o.no_feedback;
    }

    fn counts(&self) -> RatingCounts {
        let n = self.satisfied + self.basically_satisfied + self.unsatisfied;
        RatingCounts {
            satisfied: self.satisfied,
            basically_satisfied: self.basically_satisfied,
            unsatisfied: self.unsatisfied,
            no_feedback: self.no_feedback,
            rate: ratio(self.satisfied, n),
            basic_rate: ratio(self.basically_satisfied, n),
        }
    }
}

/// A group of assignment facts summed: what the store adds up in SQL for each (unit,
/// category), so the figures of a large session never travel row by row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssignmentTally {
    pub assigned: u64,
    pub replied: u64,
    /// Replied, or past the due date (the on-time rate's denominator).
    pub countable: u64,
    /// Replied by the due date.
    pub on_time: u64,
    /// Replied after an in-person consultation.
    pub consulted: u64,
    /// Grades of replied assignments.
    pub grades: GradeCounts,
    /// Ratings of replied assignments.
    pub handling: RatingTally,
    pub result: RatingTally,
}

impl AssignmentTally {
    /// One fact as a tally: the definition the store's sums follow.
    pub fn of(f: &AssignmentFact) -> AssignmentTally {
        let mut t = AssignmentTally {
            assigned: 1,
            countable: u64::from(f.replied || f.past_due),
            ..Default::default()
        };
        if !f.replied {
            return t;
        }
        t.replied = 1;
        t.on_time = u64::from(f.first_reply_on_time);
        t.consulted = u64::from(f.consulted_in_person);
        match f.grade {
            Some(Grade::A) => t.grades.a = 1,
            Some(Grade::B) => t.grades.b = 1,
            Some(Grade::C) => t.grades.c = 1,
            Some(Grade::D) => t.grades.d = 1,
            None => {}
        }
        for (tally, rating) in [(&mut t.handling, f.handling), (&mut t.result, f.result)] {
            match rating {
                Some(Rating::Satisfied) => tally.satisfied = 1,
                Some(Rating::BasicallySatisfied) => tally.basically_satisfied = 1,
                Some(Rating::Unsatisfied) => tally.unsatisfied = 1,
                None if f.no_feedback => tally.no_feedback = 1,
                None => {}
            }
        }
        t
    }

    pub fn add(&mut self, o: &AssignmentTally) {
        self.assigned += o.assigned;
        self.replied += o.replied;
        self.countable += o.countable;
        self.on_time += o.on_time;
        self.consulted += o.consulted;
        self.grades.a += o.grades.a;
        self.grades.b += o.grades.b;
        self.grades.c += o.grades.c;
        self.grades.d += o.grades.d;
        self.handling.add(&o.handling);
        self.result.add(&o.result);
    }
}

/// Commitments summed: due by today, and of those done by their due date.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CommitmentTally {
    pub due: u64,
    pub done_on_time: u64,
}

impl CommitmentTally {
    pub fn of(c: &CommitmentFact) -> CommitmentTally {
        CommitmentTally {
            due: u64::from(c.due_passed),
            done_on_time: u64::from(c.due_passed && c.done_on_time),
        }
    }
    pub fn add(&mut self, o: &CommitmentTally) {
        self.due += o.due;
        self.done_on_time += o.done_on_time;
    }
}

/// Items summed: filed, and replied by every live lead or separate assignment.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ItemTally {
    pub filed: u64,
    pub replied: u64,
}

/// A session's facts summed per group: items per category, assignments and commitments per
/// (answering unit, category). Several entries with one key add up.
#[derive(Debug, Clone, Default)]
pub struct Tallies {
    pub items: Vec<(Option<String>, ItemTally)>,
    pub assignments: Vec<(i64, Option<String>, AssignmentTally)>,
    pub commitments: Vec<(i64, Option<String>, CommitmentTally)>,
}

/// Every figure of §7: overall, per unit, per category.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub overall: Figures,
    pub per_unit: BTreeMap<i64, Figures>,
    pub per_category: BTreeMap<String, Figures>,
}

fn tally_figures(a: &AssignmentTally, c: &CommitmentTally) -> Figures {
    Figures {
        filed: a.assigned,
        replied: a.replied,
        reply_rate: ratio(a.replied, a.assigned),
        on_time_rate: ratio(a.on_time, a.countable),
        consultation_rate: ratio(a.consulted, a.replied),
        satisfaction: Satisfaction {
            handling: a.handling.counts(),
            result: a.result.counts(),
        },
        grades: a.grades.clone(),
        commitments: CommitmentFigures {
            due: c.due,
            done_on_time: c.done_on_time,
            completion_rate: ratio(c.done_on_time, c.due),
        },
    }
}

/// Item-level figures (overall, per category): filed and replied count items.
fn item_tally_figures(i: &ItemTally, a: &AssignmentTally, c: &CommitmentTally) -> Figures {
    Figures {
        filed: i.filed,
        replied: i.replied,
        reply_rate: ratio(i.replied, i.filed),
        ..tally_figures(a, c)
    }
}

/// The figures from summed facts: the same numbers as [`overall`], [`per_unit`] and
/// [`per_category`] over the facts themselves (a property test holds them equal).
pub fn summarise(t: &Tallies) -> Summary {
    let cat = |c: &Option<String>| c.clone().unwrap_or_else(|| "未分类".to_string());
    let mut all = (
        ItemTally::default(),
        AssignmentTally::default(),
        CommitmentTally::default(),
    );
    let mut cats: BTreeMap<String, (ItemTally, AssignmentTally, CommitmentTally)> = BTreeMap::new();
    let mut units: BTreeMap<i64, (AssignmentTally, CommitmentTally)> = BTreeMap::new();
    for (c, i) in &t.items {
        let e = &mut cats.entry(cat(c)).or_default().0;
        e.filed += i.filed;
        e.replied += i.replied;
        all.0.filed += i.filed;
        all.0.replied += i.replied;
    }
    for (u, c, a) in &t.assignments {
        cats.entry(cat(c)).or_default().1.add(a);
        units.entry(*u).or_default().0.add(a);
        all.1.add(a);
    }
    for (u, c, m) in &t.commitments {
        cats.entry(cat(c)).or_default().2.add(m);
        units.entry(*u).or_default().1.add(m);
        all.2.add(m);
    }
    Summary {
        overall: item_tally_figures(&all.0, &all.1, &all.2),
        per_unit: units
            .into_iter()
            .map(|(u, (a, c))| (u, tally_figures(&a, &c)))
            .collect(),
        per_category: cats
            .into_iter()
            .map(|(k, (i, a, c))| (k, item_tally_figures(&i, &a, &c)))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(item: i64, unit: i64) -> AssignmentFact {
        AssignmentFact {
            item_id: item,
            unit_id: unit,
            category: Some("经济建设".into()),
            replied: false,
            first_reply_on_time: false,
            past_due: false,
            consulted_in_person: false,
            handling: None,
            result: None,
            no_feedback: false,
            grade: None,
        }
    }

    #[test]
    fn the_reply_rate_counts_items_whose_every_assignment_replied() {
        let items = vec![
            ItemFact {
                item_id: 1,
                category: None,
            },
            ItemFact {
                item_id: 2,
                category: None,
            },
            ItemFact {
                item_id: 3,
                category: None,
            },
        ];
        let facts = vec![
            AssignmentFact {
                replied: true,
                first_reply_on_time: true,
                ..a(1, 10)
            },
            AssignmentFact {
                replied: true,
                ..a(2, 10)
            },
            a(2, 11),
        ];
        let f = overall(&items, &facts, &[]);
        assert_eq!(
            (f.filed, f.replied),
            (3, 1),
            "item 2 is not replied until both units have; item 3 has no unit yet"
        );
        assert_eq!(f.reply_rate, Some(1.0 / 3.0));
        // On time: the late reply and the unreplied-not-yet-due assignment.
        assert_eq!(f.on_time_rate, Some(0.5));
        let u = per_unit(&facts, &[]);
        assert_eq!(u[&10].reply_rate, Some(1.0));
        assert_eq!(u[&11].reply_rate, Some(0.0));
        assert_eq!(u[&11].on_time_rate, None, "nothing replied or due yet");
    }

    #[test]
    fn no_feedback_is_counted_but_never_rated() {
        let facts = vec![
            AssignmentFact {
                replied: true,
                handling: Some(Rating::Satisfied),
                result: Some(Rating::BasicallySatisfied),
                ..a(1, 1)
            },
            AssignmentFact {
                replied: true,
                no_feedback: true,
                ..a(2, 1)
            },
            AssignmentFact {
                replied: true,
                handling: Some(Rating::Unsatisfied),
                result: Some(Rating::Satisfied),
                ..a(3, 1)
            },
        ];
        let f = &per_unit(&facts, &[])[&1];
        assert_eq!(f.satisfaction.result.no_feedback, 1);
        assert_eq!(f.satisfaction.result.rate, Some(0.5));
        assert_eq!(f.satisfaction.result.basic_rate, Some(0.5));
        assert_eq!(f.satisfaction.handling.rate, Some(0.5));
    }

    #[test]
    fn completion_counts_only_commitments_past_due() {
        let c = vec![
            CommitmentFact {
                unit_id: 1,
                category: None,
                due_passed: true,
                done_on_time: true,
            },
            CommitmentFact {
                unit_id: 1,
                category: None,
                due_passed: true,
                done_on_time: false,
            },
            CommitmentFact {
                unit_id: 1,
                category: None,
                due_passed: false,
                done_on_time: true,
            },
        ];
        let f = &per_unit(&[], &c)[&1];
        assert_eq!(
            f.commitments,
            CommitmentFigures {
                due: 2,
                done_on_time: 1,
                completion_rate: Some(0.5)
            }
        );
    }

    #[test]
    fn units_rank_by_on_time_then_reply_rate() {
        let facts = vec![
            AssignmentFact {
                replied: true,
                first_reply_on_time: false,
                ..a(1, 1)
            },
            AssignmentFact {
                replied: true,
                first_reply_on_time: true,
                ..a(2, 2)
            },
            a(3, 3),
        ];
        assert_eq!(rank(&per_unit(&facts, &[])), vec![2, 1, 3]);
    }
}

#[cfg(test)]
mod fast_path {
    use super::*;
    use proptest::prelude::*;

    fn rating() -> impl Strategy<Value = Option<Rating>> {
        prop_oneof![
            Just(None),
            Just(Some(Rating::Satisfied)),
            Just(Some(Rating::BasicallySatisfied)),
            Just(Some(Rating::Unsatisfied)),
        ]
    }

    fn grade() -> impl Strategy<Value = Option<Grade>> {
        prop_oneof![
            Just(None),
            Just(Some(Grade::A)),
            Just(Some(Grade::B)),
            Just(Some(Grade::C)),
            Just(Some(Grade::D)),
        ]
    }

    fn category(item: i64) -> Option<String> {
        ["经济建设", "社会事业"]
            .get(item as usize % 3)
            .map(|c| c.to_string())
    }

    type Flags = (bool, bool, bool, bool, bool);

    proptest! {
        /// The store sums facts per (unit, category) in SQL; summing them in Rust the same way
        /// must give every figure the reference formulas give over the facts one by one.
        #[test]
        fn summed_facts_give_the_reference_figures(
            n_items in 0i64..25,
            raw in prop::collection::vec(
                (0i64..25, 0i64..5, any::<Flags>(), rating(), rating(), grade()), 0..80),
            raw_commitments in prop::collection::vec((0i64..25, 0i64..5, any::<(bool, bool)>()), 0..30),
        ) {
            let items: Vec<ItemFact> = (0..n_items)
                .map(|i| ItemFact { item_id: i, category: category(i) })
                .collect();
            let facts: Vec<AssignmentFact> = raw
                .iter()
                .filter(|r| r.0 < n_items)
                .map(|&(item_id, unit_id, (replied, on_time, past_due, consulted, no_feedback), handling, result, grade)| {
                    AssignmentFact {
                        item_id,
                        unit_id,
                        category: category(item_id),
                        replied,
                        first_reply_on_time: on_time,
                        past_due,
                        consulted_in_person: consulted,
                        handling,
                        result,
                        no_feedback,
                        grade,
                    }
                })
                .collect();
            let commitments: Vec<CommitmentFact> = raw_commitments
                .iter()
                .map(|&(item, unit_id, (due_passed, done_on_time))| CommitmentFact {
                    unit_id,
                    category: category(item),
                    due_passed,
                    done_on_time,
                })
                .collect();

            let mut t = Tallies::default();
            for i in &items {
                let own: Vec<&AssignmentFact> = facts.iter().filter(|f| f.item_id == i.item_id).collect();
                let replied = !own.is_empty() && own.iter().all(|f| f.replied);
                t.items.push((i.category.clone(), ItemTally { filed: 1, replied: u64::from(replied) }));
            }
            t.assignments = facts.iter().map(|f| (f.unit_id, f.category.clone(), AssignmentTally::of(f))).collect();
            t.commitments = commitments.iter().map(|c| (c.unit_id, c.category.clone(), CommitmentTally::of(c))).collect();

            let fast = summarise(&t);
            prop_assert_eq!(fast.overall, overall(&items, &facts, &commitments));
            prop_assert_eq!(fast.per_unit, per_unit(&facts, &commitments));
            prop_assert_eq!(fast.per_category, per_category(&items, &facts, &commitments));
        }
    }
}
