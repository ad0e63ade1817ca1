//! intervention-planner: the catalogue of interventions, local provision, and an optimiser that
//! plans and sequences interventions for children supervised by youth justice services.

pub mod accounts;
pub mod allocation;
pub mod api;
pub mod app;
pub mod catalogue_files;
pub mod cli;
pub mod configuration;
pub mod domain;
pub mod planner;
pub mod render;
pub mod reports;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod web;
