//! What the API shows of the store's read models: one response type per answer, each with
//! one name in the OpenAPI document. The store's types stay free to change; a field reaches a
//! client only when it is listed here. (The planning documents, `docs/planning.md`, are the
//! domain's own types: the contract fixes their fields, and one definition keeps the document
//! and the parser the same.)

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{Intervention, Provision};
use crate::store::bookings::Booking;
use crate::store::capacity_views::{AtRisk, AtRiskCode, TeamUtilisation};
use crate::store::catalogue::{InterventionVersion, StoredIntervention};
use crate::store::cohorts::{Cohort, SyncReport};
use crate::store::facilitators::Facilitator;
use crate::store::provision::StoredProvision;
use crate::store::waiting_list::WaitingEntry;

/// An intervention of the team's catalogue, in its current version.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterventionView {
    #[serde(flatten)]
    pub intervention: Intervention,
    pub version: i64,
    pub retired: bool,
    pub updated_at: String,
}

impl From<StoredIntervention> for InterventionView {
    fn from(s: StoredIntervention) -> Self {
        InterventionView {
            intervention: s.intervention,
            version: s.version,
            retired: s.retired,
            updated_at: s.updated_at,
        }
    }
}

/// One version of an intervention, with who made it and when.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterventionVersionView {
    pub version: i64,
    pub retired: bool,
    pub changed_at: String,
    pub changed_by: String,
    pub intervention: Intervention,
}

impl From<InterventionVersion> for InterventionVersionView {
    fn from(v: InterventionVersion) -> Self {
        InterventionVersionView {
            version: v.version,
            retired: v.retired,
            changed_at: v.changed_at,
            changed_by: v.changed_by,
            intervention: v.intervention,
        }
    }
}

/// A provision record of the team (for managers, without its participants).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProvisionView {
    #[serde(flatten)]
    pub provision: Provision,
    pub version: i64,
    pub updated_at: String,
}

impl From<StoredProvision> for ProvisionView {
    fn from(s: StoredProvision) -> Self {
        ProvisionView {
            provision: s.provision,
            version: s.version,
            updated_at: s.updated_at,
        }
    }
}

/// A cohort: one start of a fixed-start provision, or a rolling provision's place pool.
#[derive(Debug, Serialize, ToSchema)]
pub struct CohortView {
    pub id: String,
    pub provision: String,
    pub intervention: String,
    /// The start date; absent for a rolling provision's place pool.
    #[schema(value_type = Option<String>, format = Date)]
    pub start: Option<NaiveDate>,
    pub rolling: bool,
    pub places: i64,
    pub filled: i64,
    pub free: i64,
    /// Where it runs: the cohort's own area, else the provision's.
    pub area: String,
    /// Facilitator ids.
    pub facilitators: Vec<String>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Cohort> for CohortView {
    fn from(c: Cohort) -> Self {
        CohortView {
            id: c.id,
            provision: c.provision,
            intervention: c.intervention,
            start: c.start,
            rolling: c.rolling,
            places: c.places,
            filled: c.filled,
            free: c.free,
            area: c.area,
            facilitators: c.facilitators,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A child's place in a cohort (shown to coordinators and admins only).
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingView {
    /// The booking's id: the address to cancel it by.
    pub id: String,
    pub cohort: String,
    /// The child's pseudonymous case reference.
    pub reference: String,
    pub gang_affiliations: Vec<String>,
    pub booked_at: String,
    pub booked_by: String,
}

impl From<Booking> for BookingView {
    fn from(b: Booking) -> Self {
        BookingView {
            id: b.id,
            cohort: b.cohort,
            reference: b.reference,
            gang_affiliations: b.gang_affiliations,
            booked_at: b.booked_at,
            booked_by: b.booked_by,
        }
    }
}

/// What a cohort sync did.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncView {
    /// Cohorts created by this call.
    pub created: Vec<CohortView>,
    /// Ids of the provision's cohorts that already existed (left alone).
    pub existing: Vec<String>,
    /// Participants listed in the provision that were booked into the new cohorts.
    pub participants_booked: usize,
}

impl From<SyncReport> for SyncView {
    fn from(r: SyncReport) -> Self {
        SyncView {
            created: r.created.into_iter().map(CohortView::from).collect(),
            existing: r.existing,
            participants_booked: r.participants_booked,
        }
    }
}

/// One child's place on a provision's waiting list, and the place they would get next.
#[derive(Debug, Serialize, ToSchema)]
pub struct WaitingEntryView {
    /// The entry's id: the address to remove it by (a case reference is never put in a URL).
    pub id: i64,
    /// 1 for the first in line.
    pub position: usize,
    /// The child's case reference (left out for roles that see aggregates only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub added_at: String,
    pub next_cohort: Option<String>,
    /// The next cohort's start; for a rolling pool, the day the place is free (today).
    #[schema(value_type = Option<String>, format = Date)]
    pub next_start: Option<NaiveDate>,
}

impl From<WaitingEntry> for WaitingEntryView {
    fn from(e: WaitingEntry) -> Self {
        WaitingEntryView {
            id: e.id,
            position: e.position,
            reference: e.reference,
            added_at: e.added_at,
            next_cohort: e.next_cohort,
            next_start: e.next_start,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FacilitatorView {
    pub id: String,
    pub name: String,
    /// The intervention they are trained to deliver.
    pub intervention: String,
    #[schema(value_type = String, format = Date)]
    pub trained_on: NaiveDate,
    pub created_at: String,
}

impl From<Facilitator> for FacilitatorView {
    fn from(f: Facilitator) -> Self {
        FacilitatorView {
            id: f.id,
            name: f.name,
            intervention: f.intervention,
            trained_on: f.trained_on,
            created_at: f.created_at,
        }
    }
}

/// Places of one cohort in the window.
#[derive(Debug, Serialize, ToSchema)]
pub struct CohortUseView {
    pub cohort: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub start: Option<NaiveDate>,
    pub places: i64,
    pub filled: i64,
    pub free: i64,
}

/// Places of one provision over the cohorts in the window, and its waiting list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProvisionUseView {
    pub provision: String,
    pub intervention: String,
    /// Totals over the cohorts in the window.
    pub places: i64,
    pub filled: i64,
    pub free: i64,
    /// Children on the provision's waiting list.
    pub waiting: i64,
    pub cohorts: Vec<CohortUseView>,
}

/// The team's places from `from` to `to`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamUtilisationView {
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    pub provisions: Vec<ProvisionUseView>,
}

impl From<TeamUtilisation> for TeamUtilisationView {
    fn from(u: TeamUtilisation) -> Self {
        TeamUtilisationView {
            from: u.from,
            to: u.to,
            provisions: u
                .provisions
                .into_iter()
                .map(|p| ProvisionUseView {
                    provision: p.provision,
                    intervention: p.intervention,
                    places: p.places,
                    filled: p.filled,
                    free: p.free,
                    waiting: p.waiting,
                    cohorts: p
                        .cohorts
                        .into_iter()
                        .map(|c| CohortUseView {
                            cohort: c.cohort,
                            start: c.start,
                            places: c.places,
                            filled: c.filled,
                            free: c.free,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Why a cohort is at risk.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AtRiskReason {
    /// Less than half full within 2 weeks of its start.
    UnderFilled,
    /// No attached facilitator is trained in the intervention by the start.
    NoTrainedFacilitator,
    /// Its provision's waiting list is longer than the free places in the window.
    Oversubscribed,
}

impl From<AtRiskCode> for AtRiskReason {
    fn from(code: AtRiskCode) -> Self {
        match code {
            AtRiskCode::UnderFilled => AtRiskReason::UnderFilled,
            AtRiskCode::NoTrainedFacilitator => AtRiskReason::NoTrainedFacilitator,
            AtRiskCode::Oversubscribed => AtRiskReason::Oversubscribed,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonView {
    pub code: AtRiskReason,
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CohortAtRiskView {
    pub cohort: String,
    pub provision: String,
    pub intervention: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub start: Option<NaiveDate>,
    pub places: i64,
    pub filled: i64,
    pub free: i64,
    pub waiting: i64,
    pub reasons: Vec<ReasonView>,
}

/// Cohorts at risk from `from` to `to`, judged as on `from`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AtRiskView {
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    pub cohorts: Vec<CohortAtRiskView>,
}

impl From<AtRisk> for AtRiskView {
    fn from(a: AtRisk) -> Self {
        AtRiskView {
            from: a.from,
            to: a.to,
            cohorts: a
                .cohorts
                .into_iter()
                .map(|c| CohortAtRiskView {
                    cohort: c.cohort,
                    provision: c.provision,
                    intervention: c.intervention,
                    start: c.start,
                    places: c.places,
                    filled: c.filled,
                    free: c.free,
                    waiting: c.waiting,
                    reasons: c
                        .reasons
                        .into_iter()
                        .map(|r| ReasonView {
                            code: r.code.into(),
                            detail: r.detail,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Every item of a list, as its view.
pub fn all<T, V: From<T>>(items: Vec<T>) -> Vec<V> {
    items.into_iter().map(V::from).collect()
}
