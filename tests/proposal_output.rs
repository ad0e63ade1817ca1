//! The court proposal rendered from `templates/`: snapshots of the printable HTML page and of
//! the plain text for the example child (a youth rehabilitation order recommended, a referral
//! order beside it), and the rules every rendering keeps: hostile text is escaped in HTML,
//! never an id where a name belongs. `UPDATE_SNAPSHOTS=1` rewrites the snapshots.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use intervention_planner::catalogue_files;
use intervention_planner::domain::casework::{AssessedNeedRecord, Assessment};
use intervention_planner::domain::problem::RiskManagementPlan;
use intervention_planner::domain::proposal::{
    AssessmentSummary, ChosenBy, Package, ProposalDocument, ProposalRequest, RiskSummary, cautions,
    derivable, recommend, requirements_for, with_terms_of,
};
use intervention_planner::domain::sentencing::{
    Disposal, PackageRequest, ReferralConditions, RequirementTerms,
};
use intervention_planner::domain::{Catalogue, PlanningProblem, Provision};
use intervention_planner::planner::{self, PlannerSettings};
use intervention_planner::render::Renderer;
use intervention_planner::render::proposal::{Identity, Standing, view};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn example() -> (PlanningProblem, Catalogue, Vec<Provision>) {
    let text = std::fs::read_to_string(root().join("catalogue/demo/example-problem.json")).unwrap();
    let problem: PlanningProblem = serde_json::from_str(&text).unwrap();
    let catalogue = catalogue_files::load_dir(&root().join("catalogue")).unwrap();
    let provision: Vec<Provision> = serde_json::from_str(
        &std::fs::read_to_string(root().join("catalogue/demo/provision-demo-a.json")).unwrap(),
    )
    .unwrap();
    (problem, catalogue, provision)
}

fn assessment_of(problem: &PlanningProblem, catalogue: &Catalogue) -> Assessment {
    let yp = &problem.young_person;
    Assessment {
        assessed_on: problem.as_of,
        needs: yp
            .needs
            .iter()
            .map(|n| AssessedNeedRecord {
                need: n.need.clone(),
                level: n.level,
                linked_to_offending: catalogue.need(&n.need).unwrap().offending_related,
                linked_to_harm: catalogue.need(&n.need).unwrap().harm_related,
            })
            .collect(),
        likelihood_of_reoffending: yp.likelihood_of_reoffending,
        risk_of_serious_harm: yp.risk_of_serious_harm,
        safety_and_wellbeing: yp.safety_and_wellbeing,
        intervention_level: None,
        override_reason: None,
        max_hours_per_week: yp.max_hours_per_week,
    }
}

fn package(
    base: &PlanningProblem,
    catalogue: &Catalogue,
    provision: &[Provision],
    request: &PackageRequest,
    months: u32,
) -> Package {
    let order = request.order(base.order.start, months);
    let mut problem = base.clone();
    problem.order = order.clone();
    problem.catalogue = Some(catalogue.clone());
    problem.provision = Some(provision.to_vec());
    let plan = planner::plan(&problem, &PlannerSettings::default()).unwrap();
    Package::from_plan(
        request,
        months,
        plan,
        order,
        catalogue,
        provision,
        &assessment_of(base, catalogue),
    )
}

/// The example child (16 at conviction, high risk): both disposals planned, one recommended.
fn document(summary: &str, contingency: Vec<String>) -> ProposalDocument {
    let (mut problem, catalogue, provision) = example();
    problem.young_person.risk_management_plan = Some(RiskManagementPlan {
        contingency: contingency.clone(),
    });
    let age = 16;
    let referral = package(
        &problem,
        &catalogue,
        &provision,
        &PackageRequest {
            disposal: Disposal::ReferralOrder,
            months: Some(12),
            requirements: vec![],
            custody_threshold: String::new(),
        },
        12,
    );
    // A referral order is planned from the initial panel, 20 working days after sentence at
    // the latest: no work starts before the contract is signed.
    assert_eq!(
        referral.order.start,
        intervention_planner::domain::casework::add_working_days(problem.order.start, 20)
    );
    assert!(
        referral
            .plan
            .items
            .iter()
            .all(|i| i.start >= referral.order.start),
        "{:?}",
        referral.plan.items
    );
    let every = PackageRequest {
        disposal: Disposal::YouthRehabilitationOrder,
        months: Some(12),
        requirements: derivable(age)
            .into_iter()
            .map(RequirementTerms::bare)
            .collect(),
        custody_threshold: String::new(),
    };
    let first = package(&problem, &catalogue, &provision, &every, 12);
    let needed = PackageRequest {
        requirements: requirements_for(&first.plan, age),
        ..every
    };
    let mut rehabilitation = package(&problem, &catalogue, &provision, &needed, 12);
    let terms = with_terms_of(&needed.requirements, &rehabilitation.plan, age);
    rehabilitation.restate(&PackageRequest {
        requirements: terms,
        ..needed
    });
    let assessment = assessment_of(&problem, &catalogue);
    let (disposal, why) = recommend(&referral, &rehabilitation, assessment.intervention_level());
    assert_eq!(disposal, Disposal::YouthRehabilitationOrder);
    let conditions = ReferralConditions {
        imprisonable: true,
        pleaded_guilty: true,
        first_conviction: false,
    };
    let request = ProposalRequest {
        summary: summary.into(),
        prepared_by: "Sam Case Manager".into(),
        referral_conditions: Some(conditions),
        ..ProposalRequest::default()
    };
    let offence = "Possession of a bladed article in a public place";
    let summary_of = AssessmentSummary::of(&assessment, &catalogue);
    ProposalDocument {
        as_of: problem.as_of,
        convicted_on: problem.as_of,
        age_at_conviction: age,
        offence: offence.into(),
        summary: summary.into(),
        assessment: AssessmentSummary::of(&assessment, &catalogue),
        chosen_by: ChosenBy::Service,
        why,
        recommended: rehabilitation,
        alternative: Some(referral),
        risk: RiskSummary {
            contingency,
            safety_and_wellbeing: vec![],
        },
        referral: ReferralConditions::statement(Some(conditions)),
        prepared_by: "Sam Case Manager".into(),
        cautions: cautions(&summary_of, &request, offence),
        request,
    }
}

fn render(document: &ProposalDocument, name: &str) -> (String, String) {
    let renderer = Renderer::new().unwrap();
    let view = view(
        &Identity {
            name,
            reference: "A-0999",
            date_of_birth: NaiveDate::from_ymd_opt(2010, 5, 1).unwrap(),
        },
        &Standing {
            number: 1,
            finalised: false,
            finalised_at: None,
        },
        document,
    );
    (
        renderer.html("proposal", &view).unwrap(),
        renderer.text("proposal", &view).unwrap(),
    )
}

fn snapshot(file: &str, rendered: &str) {
    let path: PathBuf = root().join("tests/snapshots").join(file);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, rendered).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("no snapshot {file}: run with UPDATE_SNAPSHOTS=1"));
    assert_eq!(
        rendered, expected,
        "{file} changed: review, then UPDATE_SNAPSHOTS=1"
    );
}

#[test]
fn the_example_proposal_renders_as_html_and_text() {
    let document = document(
        "He pleaded guilty at the first hearing.\nHe says he carried the knife for protection.",
        vec![
            "If he is seen with the Southside group, the YOS police officer is told the same day"
                .into(),
        ],
    );
    let (html, text) = render(&document, "Example Child");
    snapshot("proposal-example.html", &html);
    snapshot("proposal-example.txt", &text);
    for page in [&html, &text] {
        assert!(
            page.contains("Supervision requirement"),
            "every item sits under a requirement"
        );
        assert!(!page.contains("kcp-2027"), "names, not provision ids");
        assert!(page.contains(
            "The compulsory referral conditions are not met (the child has a previous conviction)"
        ));
        assert!(page.contains("Prepared by Sam Case Manager, case manager"));
        assert!(page.contains("at least 12 times a month for the first 3 months"));
        assert!(
            page.contains("Initial youth offender panel"),
            "the referral order's panels"
        );
        assert!(
            !page.contains("spot purchase"),
            "no instructions to the service for the court"
        );
        assert!(!page.contains("yro:"), "requirements in words");
    }
    assert!(html.contains("@page { size: A4"));
}

#[test]
fn hostile_text_is_escaped_in_the_page() {
    let hostile = "<script>alert(1)</script> & \"quoted\"";
    let document = document(hostile, vec![hostile.into()]);
    let (html, text) = render(&document, hostile);
    assert!(
        !html.contains("<script>"),
        "no markup from the record reaches the page"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        text.contains(hostile),
        "plain text carries the words as written"
    );
}

#[test]
fn a_missing_contingency_plan_is_stated_for_a_high_risk_child() {
    let (html, text) = render(&document("", vec![]), "Example Child");
    for page in [&html, &text] {
        assert!(page.contains("cannot be finalised until they are recorded"));
    }
}
