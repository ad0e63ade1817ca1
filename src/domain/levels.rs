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

/// How intensively a young person is supervised (the YJB's intervention levels): it sets the
/// default weekly contact hours and how many items may run at once.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum InterventionLevel {
    Standard,
    Enhanced,
    Intensive,
}

impl InterventionLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            InterventionLevel::Standard => "standard",
            InterventionLevel::Enhanced => "enhanced",
            InterventionLevel::Intensive => "intensive",
        }
    }

    /// The level the assessment points to when the record sets none: the higher of likelihood
    /// of reoffending (low standard, medium enhanced, high intensive) and risk of serious harm
    /// (low standard, medium enhanced, high and very high intensive).
    pub fn from_assessment(likelihood: Level, risk: RiskLevel) -> InterventionLevel {
        let by_likelihood = match likelihood {
            Level::Low => InterventionLevel::Standard,
            Level::Medium => InterventionLevel::Enhanced,
            Level::High => InterventionLevel::Intensive,
        };
        let by_risk = match risk {
            RiskLevel::Low => InterventionLevel::Standard,
            RiskLevel::Medium => InterventionLevel::Enhanced,
            RiskLevel::High | RiskLevel::VeryHigh => InterventionLevel::Intensive,
        };
        by_likelihood.max(by_risk)
    }
}

/// A requirement of a youth rehabilitation order (Sentencing Act 2020, schedule 6).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    Supervision,
    Activity,
    Programme,
    UnpaidWork,
    AttendanceCentre,
    Curfew,
    Exclusion,
    ProhibitedActivity,
    Residence,
    LocalAuthorityResidence,
    MentalHealthTreatment,
    DrugTreatment,
    DrugTesting,
    IntoxicatingSubstanceTreatment,
    Education,
    ElectronicMonitoring,
    IntensiveSupervisionAndSurveillance,
    Fostering,
}

impl Requirement {
    pub const ALL: [Requirement; 18] = [
        Requirement::Supervision,
        Requirement::Activity,
        Requirement::Programme,
        Requirement::UnpaidWork,
        Requirement::AttendanceCentre,
        Requirement::Curfew,
        Requirement::Exclusion,
        Requirement::ProhibitedActivity,
        Requirement::Residence,
        Requirement::LocalAuthorityResidence,
        Requirement::MentalHealthTreatment,
        Requirement::DrugTreatment,
        Requirement::DrugTesting,
        Requirement::IntoxicatingSubstanceTreatment,
        Requirement::Education,
        Requirement::ElectronicMonitoring,
        Requirement::IntensiveSupervisionAndSurveillance,
        Requirement::Fostering,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Requirement::Supervision => "supervision",
            Requirement::Activity => "activity",
            Requirement::Programme => "programme",
            Requirement::UnpaidWork => "unpaid_work",
            Requirement::AttendanceCentre => "attendance_centre",
            Requirement::Curfew => "curfew",
            Requirement::Exclusion => "exclusion",
            Requirement::ProhibitedActivity => "prohibited_activity",
            Requirement::Residence => "residence",
            Requirement::LocalAuthorityResidence => "local_authority_residence",
            Requirement::MentalHealthTreatment => "mental_health_treatment",
            Requirement::DrugTreatment => "drug_treatment",
            Requirement::DrugTesting => "drug_testing",
            Requirement::IntoxicatingSubstanceTreatment => "intoxicating_substance_treatment",
            Requirement::Education => "education",
            Requirement::ElectronicMonitoring => "electronic_monitoring",
            Requirement::IntensiveSupervisionAndSurveillance => {
                "intensive_supervision_and_surveillance"
            }
            Requirement::Fostering => "fostering",
        }
    }

    pub fn parse(s: &str) -> Option<Requirement> {
        Requirement::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Words for a report: "unpaid work".
    pub fn label(self) -> String {
        self.as_str().replace('_', " ")
    }

    /// A restriction or monitoring the court imposes (curfew, tag, exclusion, residence, drug
    /// testing) rather than work with the young person: it runs from the order's first days.
    pub fn is_control(self) -> bool {
        matches!(
            self,
            Requirement::Curfew
                | Requirement::ElectronicMonitoring
                | Requirement::Exclusion
                | Requirement::ProhibitedActivity
                | Requirement::Residence
                | Requirement::LocalAuthorityResidence
                | Requirement::DrugTesting
                | Requirement::Fostering
        )
    }
}

/// "an activity requirement", "a curfew requirement".
pub fn with_article(words: &str) -> String {
    let article = if words.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {words}")
}

/// Under which order an intervention can be delivered (a catalogue entry's `delivered_under`):
/// `out_of_court`, `referral_order`, `dto_licence` or `yro:<requirement>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum DeliveredUnder {
    OutOfCourt,
    ReferralOrder,
    DtoLicence,
    Yro(Requirement),
}

impl DeliveredUnder {
    pub fn parse(s: &str) -> Option<DeliveredUnder> {
        match s {
            "out_of_court" => Some(DeliveredUnder::OutOfCourt),
            "referral_order" => Some(DeliveredUnder::ReferralOrder),
            "dto_licence" => Some(DeliveredUnder::DtoLicence),
            _ => s
                .strip_prefix("yro:")
                .and_then(Requirement::parse)
                .map(DeliveredUnder::Yro),
        }
    }

    /// Words for a report: "a youth rehabilitation order's unpaid work requirement".
    pub fn label(self) -> String {
        match self {
            DeliveredUnder::OutOfCourt => "an out-of-court disposal".into(),
            DeliveredUnder::ReferralOrder => "a referral order contract".into(),
            DeliveredUnder::DtoLicence => "the licence of a detention and training order".into(),
            DeliveredUnder::Yro(r) => with_article(&format!("{} requirement", r.label())),
        }
    }
}

impl std::fmt::Display for DeliveredUnder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeliveredUnder::OutOfCourt => f.write_str("out_of_court"),
            DeliveredUnder::ReferralOrder => f.write_str("referral_order"),
            DeliveredUnder::DtoLicence => f.write_str("dto_licence"),
            DeliveredUnder::Yro(r) => write!(f, "yro:{}", r.as_str()),
        }
    }
}

impl TryFrom<String> for DeliveredUnder {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        DeliveredUnder::parse(&s).ok_or_else(|| {
            format!(
                "unknown value '{s}': expected out_of_court, referral_order, dto_licence or yro:<requirement>"
            )
        })
    }
}

impl From<DeliveredUnder> for String {
    fn from(d: DeliveredUnder) -> String {
        d.to_string()
    }
}

impl utoipa::PartialSchema for DeliveredUnder {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "out_of_court, referral_order, dto_licence, or yro:<requirement>",
            ))
            .into()
    }
}

impl utoipa::ToSchema for DeliveredUnder {}

impl OrderType {
    pub fn is_out_of_court(self) -> bool {
        matches!(
            self,
            OrderType::CommunityResolution
                | OrderType::YouthCaution
                | OrderType::YouthConditionalCaution
        )
    }
}
