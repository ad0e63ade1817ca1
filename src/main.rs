//! The `intervention-planner` command: a thin shell over the library.

fn main() -> std::process::ExitCode {
    intervention_planner::cli::main()
}
