//! Builds and runs the HTTP server.

use std::net::TcpListener;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use sea_orm::DatabaseConnection;
use tracing_actix_web::TracingLogger;

use crate::app::planning::Solvers;
use crate::app::sign_in::SessionPolicy;
use crate::configuration::Settings;
use crate::render::Renderer;
use crate::{api, telemetry};
use utoipa_actix_web::AppExt;

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds `address` (port 0 picks a free port) and prepares the server.
    pub fn build(
        address: &str,
        db: DatabaseConnection,
        settings: &Settings,
    ) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(address)?;
        let port = listener.local_addr()?.port();
        let shared = Shared::new(db, settings);
        let server = HttpServer::new(move || app(shared.clone()))
            .shutdown_timeout(settings.shutdown_timeout_seconds)
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

/// What every worker shares: the database pool and the solver slots.
#[derive(Clone)]
pub struct Shared {
    pub db: web::Data<DatabaseConnection>,
    pub solvers: web::Data<Solvers>,
    pub renderer: web::Data<Renderer>,
    pub sessions: web::Data<SessionPolicy>,
    pub body_limit: usize,
}

impl Shared {
    pub fn new(db: DatabaseConnection, settings: &Settings) -> Shared {
        Shared {
            db: web::Data::new(db),
            solvers: web::Data::new(Solvers::new(settings.solver.clone())),
            // The templates are compiled into the binary; the test suite renders each one.
            renderer: web::Data::new(Renderer::new().expect("the built-in templates compile")),
            sessions: web::Data::new(settings.sessions),
            body_limit: settings.body_limit_bytes,
        }
    }
}

/// The application: its routes, and around them the security headers and JSON errors
/// (`api::guard`), the request logging (root span without the path or query, see
/// `telemetry::RootSpan`) and the `X-Request-Id` response header.
pub fn app(
    shared: Shared,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, _document) = App::new()
        .into_utoipa_app()
        .app_data(shared.db)
        .app_data(shared.solvers)
        .app_data(shared.renderer)
        .app_data(shared.sessions)
        .app_data(web::PayloadConfig::new(shared.body_limit))
        .app_data(web::QueryConfig::default().error_handler(api::guard::query_error))
        .configure(api::services)
        .default_service(web::to(api::guard::not_found))
        .split_for_parts();
    // The pages are not part of the API's OpenAPI document.
    let app = app.configure(crate::web::routes);
    // The last registered runs first: TracingLogger gives the request its id, then the
    // header middleware returns it; `harden` sees every answer, the framework's included.
    app.wrap(from_fn(api::guard::harden))
        .wrap(from_fn(telemetry::request_id_header))
        .wrap(TracingLogger::<telemetry::RootSpan>::new())
}
