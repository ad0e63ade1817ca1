//! Builds and runs the HTTP server.

use std::net::TcpListener;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use sea_orm::DatabaseConnection;
use tracing_actix_web::TracingLogger;

use crate::{api, telemetry};

/// Largest request body accepted (planning documents carry a catalogue).
const BODY_LIMIT: usize = 4 * 1024 * 1024;

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds `address` (port 0 picks a free port) and prepares the server.
    pub fn build(
        address: &str,
        db: DatabaseConnection,
        shutdown_timeout_seconds: u64,
    ) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(address)?;
        let port = listener.local_addr()?.port();
        let db = web::Data::new(db);
        let server = HttpServer::new(move || app(db.clone()))
            .shutdown_timeout(shutdown_timeout_seconds)
            .listen(listener)?
            .run();
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs until SIGINT/SIGTERM, then finishes in-flight requests (graceful shutdown).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// The application: its routes, and around them the request logging (root span without the
/// path or query, see `telemetry::RootSpan`) and the `X-Request-Id` response header.
pub fn app(
    db: web::Data<DatabaseConnection>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        // The last registered runs first: TracingLogger gives the request its id, then the
        // header middleware returns it.
        .wrap(from_fn(telemetry::request_id_header))
        .wrap(TracingLogger::<telemetry::RootSpan>::new())
        .app_data(db)
        .app_data(web::PayloadConfig::new(BODY_LIMIT))
        .configure(routes)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(api::health::live)
        .service(api::health::ready)
        .service(
            web::scope("/api/v1")
                .service(api::openapi::openapi_json)
                .service(api::catalogue::list_needs)
                .service(api::catalogue::list_interventions)
                .service(api::catalogue::create_intervention)
                .service(api::catalogue::intervention_history)
                .service(api::catalogue::retire_intervention)
                .service(api::catalogue::get_intervention)
                .service(api::catalogue::update_intervention)
                .service(api::provision::list_provision)
                .service(api::provision::create_provision)
                .service(api::provision::get_provision)
                .service(api::provision::update_provision)
                .service(api::provision::delete_provision)
                .service(api::plans::preview)
                .service(api::allocations::preview)
                .service(api::cohorts::list_cohorts)
                .service(api::cohorts::create_cohort)
                .service(api::cohorts::get_cohort)
                .service(api::cohorts::update_cohort)
                .service(api::cohorts::sync_cohorts)
                .service(api::bookings::create_booking)
                .service(api::bookings::cancel_booking)
                .service(api::bookings::move_booking)
                .service(api::capacity::get_waiting_list)
                .service(api::capacity::add_to_waiting_list)
                .service(api::capacity::remove_from_waiting_list)
                .service(api::capacity::list_facilitators)
                .service(api::capacity::create_facilitator)
                .service(api::capacity::get_rivalries)
                .service(api::capacity::put_rivalries)
                .service(api::capacity::utilisation)
                .service(api::capacity::at_risk)
                .service(api::settings::get_planner_settings)
                .service(api::settings::put_planner_settings),
        );
}
