//! The team's provision: what is provided locally, where, with how many places.

use super::access::{COORDINATORS, EVERYONE};
use super::{Access, AppError, AppResult, based_on};
use crate::domain::{FieldErrors, Provision};
use crate::store::audit::AuditAction;
use crate::store::{self, provision::StoredProvision};

/// Participants name children (references and gang affiliations): managers see none, and a
/// read that returns any is audited.
async fn least_data(
    access: &Access<'_>,
    mut list: Vec<StoredProvision>,
) -> AppResult<Vec<StoredProvision>> {
    if !access.sees_children() {
        for p in &mut list {
            p.provision.participants.clear();
        }
        return Ok(list);
    }
    let named: Vec<&str> = list
        .iter()
        .filter(|p| !p.provision.participants.is_empty())
        .map(|p| p.provision.id.as_str())
        .collect();
    if !named.is_empty() {
        access
            .audit_read(
                AuditAction::ProvisionRead,
                &format!("provision:{}", named.join(",")),
            )
            .await?;
    }
    Ok(list)
}

pub async fn list(access: &Access<'_>) -> AppResult<Vec<StoredProvision>> {
    access.allow(EVERYONE)?;
    let list = store::provision::list(access.db, access.team()).await?;
    least_data(access, list).await
}

pub async fn get(access: &Access<'_>, id: &str) -> AppResult<StoredProvision> {
    access.allow(EVERYONE)?;
    let found = store::provision::get(access.db, access.team(), id).await?;
    Ok(least_data(access, vec![found]).await?.remove(0))
}

/// Checks a record on its own and against the team's catalogue; field names are the record's.
async fn checked(access: &Access<'_>, p: Provision) -> AppResult<Provision> {
    let mut errors = FieldErrors::default();
    let catalogue = store::catalogue::planning_catalogue(access.db, access.team()).await?;
    p.validate("entry", Some(&catalogue), &mut errors);
    Ok(errors.relative_to("entry").into_result(p)?)
}

pub async fn create(access: &Access<'_>, p: Provision) -> AppResult<StoredProvision> {
    access.allow(COORDINATORS)?;
    let p = checked(access, p).await?;
    Ok(store::provision::create(access.db, access.caller, &p).await?)
}

/// Replaces a record if `version` is still current; `id` is the one addressed.
pub async fn update(
    access: &Access<'_>,
    id: &str,
    version: Option<i64>,
    p: Provision,
) -> AppResult<StoredProvision> {
    access.allow(COORDINATORS)?;
    store::provision::get(access.db, access.team(), id).await?;
    let version = based_on(version)?;
    let p = checked(access, p).await?;
    if p.id != id {
        return Err(AppError::invalid("id", "must match the id in the address"));
    }
    Ok(store::provision::update(access.db, access.caller, &p, version).await?)
}

pub async fn delete(access: &Access<'_>, id: &str, version: Option<i64>) -> AppResult<()> {
    access.allow(COORDINATORS)?;
    store::provision::get(access.db, access.team(), id).await?;
    let version = based_on(version)?;
    Ok(store::provision::delete(access.db, access.caller, id, version).await?)
}
