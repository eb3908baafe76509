//! `reintegration bench-baseline`: a bare actix-web JSON endpoint in this same binary, the
//! baseline `bench/run.sh` compares the API's throughput with (same runtime, same serde).

use std::net::SocketAddr;

use actix_web::{App, HttpResponse, HttpServer, web};

async fn echo(body: web::Json<serde_json::Value>) -> HttpResponse {
    HttpResponse::Ok().json(body.into_inner())
}

/// Serves `POST /echo` (JSON in, the same JSON out) until stopped.
pub fn serve_baseline(listen: SocketAddr) -> std::io::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(|| App::new().route("/echo", web::post().to(echo))).bind(listen)?.run().await
    })
}
