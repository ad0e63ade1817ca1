//! The assessment scales used across the service (AssetPlus levels and order types).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The level of an assessed need, or of the likelihood of reoffending.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Low,
    Medium,
    High,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }
}

/// Risk of serious harm, and safety and wellbeing: four levels.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
    VeryHigh,
}

impl RiskLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
            RiskLevel::VeryHigh => "very_high",
        }
    }

    pub fn is_high_or_above(self) -> bool {
        self >= RiskLevel::High
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderType {
    CommunityResolution,
    YouthCaution,
    YouthConditionalCaution,
    ReferralOrder,
    YouthRehabilitationOrder,
    DetentionAndTrainingOrder,
    /// Pre-sentence: not yet imposed; the order end is the proposed end.
    Proposed,
}

impl OrderType {
    pub fn label(self) -> &'static str {
        match self {
            OrderType::CommunityResolution => "community resolution",
            OrderType::YouthCaution => "youth caution",
            OrderType::YouthConditionalCaution => "youth conditional caution",
            OrderType::ReferralOrder => "referral order",
            OrderType::YouthRehabilitationOrder => "youth rehabilitation order",
            OrderType::DetentionAndTrainingOrder => "detention and training order",
            OrderType::Proposed => "proposed order",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    OneToOne,
    Group,
    Family,
}

/// Strength of evidence, after the YJB practice classification and the YEF toolkit.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    ResearchSupported,
    Promising,
    Emerging,
    Unrated,
}

impl Evidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::ResearchSupported => "research supported",
            Evidence::Promising => "promising",
            Evidence::Emerging => "emerging",
            Evidence::Unrated => "unrated",
        }
    }
}
