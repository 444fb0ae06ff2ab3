//! The Stateright Explorer serves its page on localhost.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use nectar_lifecycle_core::Rules;
use nectar_lifecycle_models::ConnectionModel;
use stateright::Model;

#[test]
fn the_explorer_serves_its_ui_and_status() {
    // Find a free port, then let the Explorer take it.
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let serve_addr = addr.clone();
    std::thread::spawn(move || {
        // Blocks forever; the thread ends with the test process.
        ConnectionModel::new(Rules::Documented)
            .checker()
            .threads(1)
            .serve(serve_addr);
    });
    let get = |path: &str| -> Option<String> {
        let mut stream = TcpStream::connect(&addr).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        write!(stream, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").ok()?;
        let mut body = String::new();
        stream.read_to_string(&mut body).ok()?;
        Some(body)
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    let page = loop {
        if let Some(page) = get("/") {
            break page;
        }
        assert!(Instant::now() < deadline, "the Explorer did not start");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        page.starts_with("HTTP/1.1 200") || page.starts_with("HTTP/1.0 200"),
        "{page:.200}"
    );
    assert!(page.to_lowercase().contains("<html"), "{page:.300}");
    let status = get("/.status").expect("status");
    assert!(status.contains("unique_state_count"), "{status:.300}");
}
