//! The baseline of `make bench`'s hot-path figure: a bare axum handler that answers every
//! request with the bytes of one file, as JSON. `bare <addr> <file>`.

use axum::http::header;
use axum::Router;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(addr), Some(path)) = (args.next(), args.next()) else {
        eprintln!("usage: bare <addr> <file>");
        std::process::exit(2);
    };
    let body = bytes::Bytes::from(std::fs::read(&path).expect("the answer's file"));
    let app = Router::new().fallback(move || {
        let body = body.clone();
        async move { ([(header::CONTENT_TYPE, "application/json")], body) }
    });
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
