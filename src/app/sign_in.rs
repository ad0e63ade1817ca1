//! Signing in to the pages, and the sessions that follow (docs/security.md).
//!
//! - Passwords are argon2id (the crate's defaults: 19 MiB, 2 passes), hashed off the async
//!   threads. An unknown user costs the same hash as a known one.
//! - An account is locked after [`ACCOUNT_FAILURES`] failed sign-ins in [`FAILURE_WINDOW_MINUTES`];
//!   one client address after [`CLIENT_FAILURES`]. The failures live in the database, so the limit
//!   holds across instances. A locked account is refused before its password is checked.
//! - A session is a random 256-bit value in a cookie; the database keeps its SHA-256, so a copy
//!   of the database signs nobody in. It ends on sign-out, when the user is disabled, after
//!   [`SessionPolicy::idle_minutes`] without a request, and [`SessionPolicy::absolute_hours`] after
//!   sign-in, whichever is first.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::DatabaseConnection;
use sha2::{Digest, Sha256};

use super::{AppError, AppResult};
use crate::accounts::{Caller, Role};
use crate::store::{self, sign_in};

pub const ACCOUNT_FAILURES: u64 = 5;
pub const CLIENT_FAILURES: u64 = 30;
pub const FAILURE_WINDOW_MINUTES: i64 = 15;
/// Long enough to stop guessing, short enough that a locked-out worker is not stuck for a day.
pub const MINIMUM_PASSWORD_LENGTH: usize = 12;

#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionPolicy {
    pub idle_minutes: i64,
    pub absolute_hours: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle_minutes: 30,
            absolute_hours: 10,
        }
    }
}

/// Why a sign-in was refused. The page says the same for both so that it does not tell which
/// user names exist.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    WrongNameOrPassword,
    LockedOut,
}

/// A new session: `cookie` goes to the browser once; only its hash is stored.
pub struct NewSession {
    pub cookie: String,
}

/// A signed-in user, as a page sees them.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub caller: Caller,
    pub name: String,
    pub csrf_token: String,
    /// The stored session id (a hash), for signing out.
    pub session_id: String,
}

fn sha256(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// An argon2id PHC string for `password`, computed on the blocking pool.
pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing: {e}"))
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(AppError::Internal)
}

async fn verify_password(password: String, phc: Option<String>) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || {
        // A fixed hash when there is none, so that an unknown user takes as long as a known one.
        const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0vjEcv3gTWUqWaiCMBGrJQ8zWJaHbhmA0sV3yAJbPtk";
        let known = phc.is_some();
        let phc = phc.unwrap_or_else(|| DUMMY.to_string());
        let Ok(parsed) = PasswordHash::new(&phc) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
            && known
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))
}

/// Sets `user_id`'s password (an administrator's or the demo loader's act).
pub async fn set_password(db: &DatabaseConnection, user_id: &str, password: &str) -> AppResult<()> {
    if password.chars().count() < MINIMUM_PASSWORD_LENGTH {
        return Err(AppError::invalid(
            "password",
            format!("must be at least {MINIMUM_PASSWORD_LENGTH} characters"),
        ));
    }
    let phc = hash_password(password.to_string()).await?;
    store::sign_in::set_password(db, user_id, &phc).await?;
    Ok(())
}

/// A new random password for a demo user, set and returned (printed once by `serve --demo`).
pub async fn reset_demo_password(db: &DatabaseConnection, user_id: &str) -> AppResult<String> {
    let mut bytes = [0u8; 9];
    rand::rng().fill_bytes(&mut bytes);
    let password = format!("demo-{}", hex::encode(bytes));
    set_password(db, user_id, &password).await?;
    Ok(password)
}

pub async fn disable_user(db: &DatabaseConnection, user_id: &str) -> AppResult<()> {
    Ok(store::sign_in::disable_user(db, user_id).await?)
}

/// Checks a name and password; on success opens a session.
pub async fn sign_in(
    db: &DatabaseConnection,
    user_name: &str,
    password: &str,
    client: &str,
) -> AppResult<Result<NewSession, Refused>> {
    let account = format!("account:{}", sha256(&user_name.trim().to_lowercase()));
    let client = format!("client:{}", sha256(client));
    let now = Utc::now();
    let window_start = rfc3339(now - Duration::minutes(FAILURE_WINDOW_MINUTES));
    if sign_in::failures_since(db, &account, &window_start).await? >= ACCOUNT_FAILURES
        || sign_in::failures_since(db, &client, &window_start).await? >= CLIENT_FAILURES
    {
        return Ok(Err(Refused::LockedOut));
    }
    let user = sign_in::user(db, user_name.trim()).await?;
    let phc = user.as_ref().and_then(|u| u.password_hash.clone());
    let matches = verify_password(password.to_string(), phc).await?;
    let user = match user {
        Some(user) if matches && !user.disabled => user,
        _ => {
            let forget = rfc3339(now - Duration::days(1));
            sign_in::record_failure(db, &[&account, &client], &forget).await?;
            return Ok(Err(Refused::WrongNameOrPassword));
        }
    };
    sign_in::clear_failures(db, &account).await?;
    let cookie = random_hex();
    sign_in::create_session(db, &sha256(&cookie), &user.team_id, &user.id, &random_hex()).await?;
    Ok(Ok(NewSession { cookie }))
}

/// The signed-in user a session cookie stands for, if the session is live; records the request
/// as activity.
pub async fn resume(
    db: &DatabaseConnection,
    cookie: &str,
    policy: SessionPolicy,
) -> AppResult<Option<SignedIn>> {
    if cookie.len() != 64 || !cookie.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let id = sha256(cookie);
    let Some(session) = sign_in::session(db, &id).await? else {
        return Ok(None);
    };
    if session.ended_at.is_some() {
        return Ok(None);
    }
    let now = Utc::now();
    let parse = |s: &str| DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc));
    let (Ok(created), Ok(seen)) = (parse(&session.created_at), parse(&session.last_seen_at)) else {
        return Ok(None);
    };
    if now - seen > Duration::minutes(policy.idle_minutes)
        || now - created > Duration::hours(policy.absolute_hours)
    {
        sign_in::end_session(db, &id).await?;
        return Ok(None);
    }
    let Some(user) = sign_in::user(db, &session.user_id).await? else {
        return Ok(None);
    };
    if user.disabled || user.team_id != session.team_id {
        return Ok(None);
    }
    // One write a minute at most per session, not one per request.
    if now - seen > Duration::seconds(60) {
        sign_in::touch_session(db, &id, &rfc3339(now)).await?;
    }
    Ok(Some(SignedIn {
        caller: Caller {
            team_id: user.team_id,
            user_id: user.id,
            role: user.role,
            route: String::new(),
        },
        name: user.name,
        csrf_token: session.csrf_token,
        session_id: id,
    }))
}

pub async fn sign_out(db: &DatabaseConnection, session_id: &str) -> AppResult<()> {
    Ok(sign_in::end_session(db, session_id).await?)
}

/// The demo's users of a team, one per role and both case managers (their caseloads are
/// stored; the second holds the children awaiting sentence), created if missing.
pub fn demo_users(team: &str) -> Vec<(String, &'static str, Role)> {
    vec![
        (
            format!("{team}:case-manager-1"),
            "Case manager 1",
            Role::CaseManager,
        ),
        (
            format!("{team}:case-manager-2"),
            "Case manager 2",
            Role::CaseManager,
        ),
        (
            format!("{team}:coordinator"),
            "Intervention coordinator",
            Role::Coordinator,
        ),
        (format!("{team}:manager"), "Service manager", Role::Manager),
        (format!("{team}:admin"), "Administrator", Role::Admin),
    ]
}
