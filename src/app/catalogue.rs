//! Needs and the intervention catalogue: search for everyone, changes by coordinators.

use std::collections::BTreeSet;

use super::access::{COORDINATORS, EVERYONE};
use super::{Access, AppError, AppResult, based_on};
use crate::domain::{Catalogue, Evidence, FieldErrors, Format, Intervention, Need};
use crate::store;
use crate::store::catalogue::{InterventionVersion, StoredIntervention};

/// What a catalogue search asks for; every part is optional.
#[derive(Debug, Default)]
pub struct Filter {
    pub need: Option<String>,
    pub category: Option<String>,
    pub evidence: Option<Evidence>,
    pub age: Option<i64>,
    pub format: Option<Format>,
    /// Free text, matched against id, name and description.
    pub text: Option<String>,
    pub include_retired: bool,
}

impl Filter {
    fn matches(&self, s: &StoredIntervention) -> bool {
        let iv = &s.intervention;
        let text = self
            .text
            .as_deref()
            .map(|q| q.trim().to_lowercase())
            .filter(|q| !q.is_empty());
        (self.include_retired || !s.retired)
            && self.need.as_ref().is_none_or(|n| iv.addresses.contains(n))
            && self.category.as_ref().is_none_or(|c| &iv.category == c)
            && self.evidence.is_none_or(|e| iv.evidence == e)
            && self.format.is_none_or(|f| iv.format == f)
            && self.age.is_none_or(|a| {
                iv.min_age.is_none_or(|m| m <= a) && iv.max_age.is_none_or(|m| a <= m)
            })
            && text.is_none_or(|q| {
                iv.id.contains(&q)
                    || iv.name.to_lowercase().contains(&q)
                    || iv
                        .description
                        .as_deref()
                        .is_some_and(|d| d.to_lowercase().contains(&q))
            })
    }
}

pub async fn needs(access: &Access<'_>) -> AppResult<Vec<Need>> {
    access.allow(EVERYONE)?;
    Ok(store::catalogue::list_needs(access.db, access.team()).await?)
}

pub async fn search(access: &Access<'_>, filter: &Filter) -> AppResult<Vec<StoredIntervention>> {
    access.allow(EVERYONE)?;
    Ok(store::catalogue::list(access.db, access.team())
        .await?
        .into_iter()
        .filter(|s| filter.matches(s))
        .collect())
}

pub async fn get(access: &Access<'_>, id: &str) -> AppResult<StoredIntervention> {
    access.allow(EVERYONE)?;
    Ok(store::catalogue::get(access.db, access.team(), id).await?)
}

/// Every version of an intervention, oldest first.
pub async fn history(access: &Access<'_>, id: &str) -> AppResult<Vec<InterventionVersion>> {
    access.allow(EVERYONE)?;
    Ok(store::catalogue::history(access.db, access.team(), id).await?)
}

/// Checks an entry on its own and against the rest of the team's catalogue (needs exist,
/// prerequisites exist, no cycle). Field names are relative to the entry.
async fn check_entry(access: &Access<'_>, entry: &Intervention) -> AppResult<()> {
    let mut errors = FieldErrors::default();
    entry.validate_catalogue_entry("entry", &mut errors);
    let mut interventions: Vec<Intervention> = store::catalogue::list(access.db, access.team())
        .await?
        .into_iter()
        .map(|s| s.intervention)
        .filter(|i| i.id != entry.id)
        .collect();
    interventions.push(entry.clone());
    let last = interventions.len() - 1;
    let catalogue = Catalogue {
        needs: store::catalogue::list_needs(access.db, access.team()).await?,
        interventions,
    };
    let mut whole = FieldErrors::default();
    catalogue.validate("catalogue", &mut whole);
    let mine = format!("catalogue.interventions[{last}]");
    for e in whole.0 {
        if let Some(rest) = e.field.strip_prefix(&mine) {
            errors.push(format!("entry{rest}"), e.message);
        } else if e.message.contains("prerequisite cycle") {
            errors.push("entry.requires", e.message);
        }
    }
    let mut errors = errors.relative_to("entry");
    let mut seen = BTreeSet::new();
    errors
        .0
        .retain(|e| seen.insert((e.field.clone(), e.message.clone())));
    Ok(errors.into_result(())?)
}

pub async fn create(access: &Access<'_>, entry: Intervention) -> AppResult<StoredIntervention> {
    access.allow(COORDINATORS)?;
    check_entry(access, &entry).await?;
    Ok(store::catalogue::create(access.db, access.team(), &entry, &access.caller.user_id).await?)
}

/// Replaces an intervention if `version` is still current (the catalogue keeps every version,
/// with who made it).
pub async fn update(
    access: &Access<'_>,
    id: &str,
    version: Option<i64>,
    entry: Intervention,
) -> AppResult<StoredIntervention> {
    access.allow(COORDINATORS)?;
    store::catalogue::get(access.db, access.team(), id).await?;
    let version = based_on(version)?;
    if entry.id != id {
        return Err(AppError::invalid("id", "must match the id in the address"));
    }
    check_entry(access, &entry).await?;
    Ok(store::catalogue::update(
        access.db,
        access.team(),
        &entry,
        version,
        false,
        &access.caller.user_id,
    )
    .await?)
}

/// Retires an intervention: it is no longer planned, and its history is kept.
pub async fn retire(
    access: &Access<'_>,
    id: &str,
    version: Option<i64>,
) -> AppResult<StoredIntervention> {
    access.allow(COORDINATORS)?;
    let current = store::catalogue::get(access.db, access.team(), id).await?;
    let version = based_on(version)?;
    Ok(store::catalogue::update(
        access.db,
        access.team(),
        &current.intervention,
        version,
        true,
        &access.caller.user_id,
    )
    .await?)
}
