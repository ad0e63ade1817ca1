//! intervention-planner: the catalogue of interventions, local provision, and an optimiser that
//! plans and sequences interventions for children supervised by youth justice services.

pub mod cli;
pub mod domain;
pub mod planner;
