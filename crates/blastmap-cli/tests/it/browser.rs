//! The HTML report in a real browser: Debian's Chromium driven through
//! `chromedriver` (W3C `WebDriver` over HTTP on loopback).
//!
//! The `WebDriver` client is the few calls we need, over `std::net`: no async
//! runtime and no client crate in the dependency tree, and nothing to fetch
//! at test time (Playwright would need npm and a lock file; its own browser
//! download fails offline). Without `chromium` and `chromedriver` the test
//! is skipped with a message, except with `CI=true`, where it fails.
//!
//! What it checks: clicking a component highlights exactly the engine's
//! blast radius (`report --format json --detail`: `down_ids`,
//! `degraded_ids`), keyboard selection and Escape, the search box, no
//! console errors, and that hostile names stay text. Screenshots go to
//! `CARGO_TARGET_TMPDIR`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Chromium flags for a machine without network: without the background
/// networking switches Chromium keeps retrying connections and stalls.
const FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path).map(|dir| dir.join(name)).find(|candidate| candidate.is_file())
    })
}

/// The browser and its driver, or `None` (skip) outside CI.
fn tools() -> Option<(PathBuf, PathBuf)> {
    let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"]);
    let driver = find_program(&["chromedriver"]);
    if let (Some(c), Some(d)) = (chromium, driver) {
        Some((c, d))
    } else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "chromium and chromedriver are not installed: CI must test the HTML report in a browser \
             (apt-get install chromium chromium-driver)"
        );
        #[allow(clippy::print_stderr, reason = "a skipped check must say so in the test output")]
        {
            eprintln!(
                "skipped: chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
            );
        }
        None
    }
}

/// One HTTP/1.1 exchange with the driver.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(Duration::from_secs(60))).map_err(|e| e.to_string())?;
    let payload = body.map(Value::to_string).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{payload}",
        payload.len()
    );
    stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    // ChromeDriver keeps the connection open whatever the request says: read
    // the header, then exactly Content-Length bytes (or chunks to the end).
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let split = loop {
        if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connection closed before the HTTP header ended".to_owned());
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let mut body = raw[split + 4..].to_vec();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    loop {
        let done = match length {
            Some(len) => body.len() >= len,
            None => body.ends_with(b"0\r\n\r\n"),
        };
        if done {
            break;
        }
        let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buf[..n]);
    }
    if head.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    serde_json::from_slice(&body).map_err(|e| format!("{e}: {}", String::from_utf8_lossy(&body)))
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&data[start..(start + size).min(data.len())]);
        data = &data[(start + size + 2).min(data.len())..];
    }
    out
}

/// A running `chromedriver` with one browser session; both end on drop.
struct Browser {
    driver: Child,
    port: u16,
    session: String,
}

impl Browser {
    fn start(chromium: &Path, chromedriver: &Path, profile: &Path) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let mut browser = Browser { driver, port, session: String::new() };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !http(port, "GET", "/status", None).is_ok_and(|v| v["value"]["ready"] == json!(true)) {
            assert!(Instant::now() < deadline, "chromedriver did not become ready in 30 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut args: Vec<String> = FLAGS.iter().map(|f| (*f).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.push("--window-size=1600,1300".to_owned());
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium.display().to_string(), "args": args},
            "goog:loggingPrefs": {"browser": "ALL"},
        }}});
        let created = http(port, "POST", "/session", Some(&caps)).expect("new session");
        created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .clone_into(&mut browser.session);
        browser
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let url = format!("/session/{}{path}", self.session);
        let reply = http(self.port, method, &url, body).unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        assert!(reply["value"]["error"].is_null(), "{method} {path}: {}", reply["value"]);
        reply["value"].clone()
    }

    fn open(&self, file: &Path) {
        self.call("POST", "/url", Some(&json!({"url": format!("file://{}", file.display())})));
    }

    fn run(&self, script: &str) -> Value {
        self.call("POST", "/execute/sync", Some(&json!({"script": script, "args": []})))
    }

    /// Runs `script` with `args`; it ends by calling its last argument
    /// with the result (for promises).
    fn run_async(&self, script: &str, args: &Value) -> Value {
        self.call("POST", "/timeouts", Some(&json!({"script": 120_000})));
        self.call("POST", "/execute/async", Some(&json!({"script": script, "args": args})))
    }

    fn element(&self, css: &str) -> String {
        let found = self.call("POST", "/element", Some(&json!({"using": "css selector", "value": css})));
        found.as_object().and_then(|o| o.values().next()).and_then(Value::as_str).expect("element").to_owned()
    }

    fn click(&self, css: &str) {
        let e = self.element(css);
        self.call("POST", &format!("/element/{e}/click"), Some(&json!({})));
    }

    fn keys(&self, css: &str, text: &str) {
        let e = self.element(css);
        self.call("POST", &format!("/element/{e}/value"), Some(&json!({"text": text})));
    }

    /// Console messages at error level since the last call.
    fn console_errors(&self) -> Vec<String> {
        let log = self.call("POST", "/se/log", Some(&json!({"type": "browser"})));
        log.as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == json!("SEVERE"))
            .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    fn screenshot(&self, to: &Path) {
        let png = self.call("GET", "/screenshot", None);
        let bytes = base64(png.as_str().expect("base64 PNG"));
        assert!(bytes.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::write(to, bytes).expect("screenshot written");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = http(self.port, "DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let digits: Vec<u8> = text.bytes().filter_map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let mut n = 0u32;
        for (i, &d) in chunk.iter().enumerate() {
            n |= u32::from(d) << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

/// How many components the page's data holds.
fn report_len(page: &Path) -> usize {
    let html = std::fs::read_to_string(page).expect("page");
    html.matches("<option value=").count()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn blastmap(args: &[&str]) -> Vec<u8> {
    let out =
        Command::new(env!("CARGO_BIN_EXE_blastmap")).current_dir(root()).args(args).output().expect("runs");
    assert!(out.status.success(), "blastmap {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// A fresh directory under the target directory for this test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// What the page highlights, as component ids (read from the diagram's
/// classes, mapped through the embedded data).
const HIGHLIGHTED: &str = r"
const data = JSON.parse(document.getElementById('blastmap-data').textContent);
const ids = cls => [...document.querySelectorAll('#bm-diagram g.node.' + cls)]
  .map(g => data.components[Number(g.id.slice(4))].id).sort();
return {failed: ids('bm-failed'), down: ids('bm-down'), degraded: ids('bm-degraded'),
        hot: document.querySelectorAll('#bm-diagram g.edge.bm-hot').length,
        panel: document.getElementById('bm-details').textContent};
";

fn expected(report: &Value, id: &str) -> (Vec<String>, Vec<String>) {
    let c = report["components"].as_array().unwrap().iter().find(|c| c["id"] == json!(id)).unwrap();
    let list = |key: &str| -> Vec<String> {
        let mut v: Vec<String> = c["blast_radius"][key]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    (list("down_ids"), list("degraded_ids"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_owned()).collect()
}

fn node_of(report: &Value, id: &str) -> String {
    let i = report["components"].as_array().unwrap().iter().position(|c| c["id"] == json!(id)).unwrap();
    format!("#bm-c{i}")
}

/// Checks the page of the shop drawn with `diagram` (graphviz or builtin).
fn check_shop(browser: &Browser, dir: &Path, diagram: &str, report: &Value) {
    let page = dir.join(format!("shop-{diagram}.html"));
    let page_arg = page.display().to_string();
    blastmap(&["report", "fixtures/shop", "--format", "html", "--diagram", diagram, "-o", &page_arg]);
    browser.open(&page);
    assert_eq!(browser.run("return document.getElementById('bm-diagram').dataset.layout"), json!(diagram));

    // Click: zone-a takes down 15 and degrades 2 (README).
    browser.click(&node_of(report, "zone-a"));
    let seen = browser.run(HIGHLIGHTED);
    let (down, degraded) = expected(report, "zone-a");
    assert_eq!(strings(&seen["failed"]), ["zone-a"]);
    assert_eq!(strings(&seen["down"]), down, "{diagram}: highlighted down = engine's down_ids");
    assert_eq!(
        strings(&seen["degraded"]),
        degraded,
        "{diagram}: highlighted degraded = engine's degraded_ids"
    );
    assert_eq!(down.len(), 15);
    assert!(seen["hot"].as_u64().unwrap() > 0, "cascade paths drawn");
    let panel = seen["panel"].as_str().unwrap();
    assert!(panel.contains("15 down") && panel.contains("2 degraded"), "{panel}");
    assert!(panel.contains("orders-db-primary"), "cascade paths listed: {panel}");
    browser.screenshot(&dir.join(format!("shop-{diagram}-zone-a.png")));

    // Keyboard: Enter on a focused node selects it; Escape clears.
    browser.keys(&node_of(report, "payments-db"), "\u{E007}");
    let seen = browser.run(HIGHLIGHTED);
    let (down, degraded) = expected(report, "payments-db");
    assert_eq!(strings(&seen["failed"]), ["payments-db"]);
    assert_eq!(strings(&seen["down"]), down);
    assert_eq!(strings(&seen["degraded"]), degraded);
    browser.keys(&node_of(report, "payments-db"), "\u{E00C}");
    let seen = browser.run(HIGHLIGHTED);
    assert!(
        strings(&seen["failed"]).is_empty() && strings(&seen["down"]).is_empty(),
        "Escape clears: {seen}"
    );

    // The search box (what picking from the datalist does).
    // (A click shows the picked id in the box: clear it first.)
    let input = browser.element("#bm-search");
    browser.call("POST", &format!("/element/{input}/clear"), Some(&json!({})));
    browser.keys("#bm-search", "catalog-db\u{E007}");
    let seen = browser.run(HIGHLIGHTED);
    let (down, degraded) = expected(report, "catalog-db");
    assert_eq!(strings(&seen["failed"]), ["catalog-db"]);
    assert_eq!(strings(&seen["down"]), down);
    assert_eq!(strings(&seen["degraded"]), degraded);

    // Every component: the diagram shows what the engine computed.
    let every = browser.run(
        r"const data = JSON.parse(document.getElementById('blastmap-data').textContent);
          const out = {};
          data.components.forEach((c, i) => {
            document.getElementById('bm-c' + i).dispatchEvent(new MouseEvent('click', {bubbles: true}));
            const ids = cls => [...document.querySelectorAll('#bm-diagram g.node.' + cls)]
              .map(g => data.components[Number(g.id.slice(4))].id).sort();
            out[c.id] = [ids('bm-down'), ids('bm-degraded')];
            document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}));
          });
          return out;",
    );
    for c in report["components"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let (down, degraded) = expected(report, id);
        assert_eq!(strings(&every[id][0]), down, "{diagram}: down of {id}");
        assert_eq!(strings(&every[id][1]), degraded, "{diagram}: degraded of {id}");
    }
    check_fragment(browser, &page, diagram);
    let errors = browser.console_errors();
    assert!(errors.is_empty(), "{diagram}: console errors: {errors:?}");
}

/// The page's state is in the URL fragment: a link with `#fail=` opens
/// with that scenario (several failures at once too, as the engine's
/// `simulate` computes it), a pick writes the fragment, and an unknown id
/// is said, not ignored.
fn check_fragment(browser: &Browser, page: &Path, diagram: &str) {
    let open = |fragment: &str| {
        browser.call("POST", "/url", Some(&json!({"url": format!("file://{}{fragment}", page.display())})));
        browser.run(HIGHLIGHTED)
    };
    let simulated = |failed: &[&str]| {
        let mut args = vec!["simulate", "fixtures/shop", "--format", "json"];
        for f in failed {
            args.extend(["--fail", f]);
        }
        let sim: Value = serde_json::from_slice(&blastmap(&args)).unwrap();
        let of = |state: &str| {
            let mut ids: Vec<String> = sim["components"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["state"] == json!(state) && c["failed"] == json!(false))
                .map(|c| c["id"].as_str().unwrap().to_owned())
                .collect();
            ids.sort();
            ids
        };
        (of("down"), of("degraded"))
    };
    for failed in [&["zone-a"][..], &["payments-db", "catalog-db"][..]] {
        let seen = open(&format!("#fail={}", failed.join(",")));
        let mut want: Vec<String> = failed.iter().map(|f| (*f).to_owned()).collect();
        want.sort();
        assert_eq!(strings(&seen["failed"]), want, "{diagram}: the link's failures");
        let (down, degraded) = simulated(failed);
        assert_eq!(strings(&seen["down"]), down, "{diagram}: down under {failed:?}");
        assert_eq!(strings(&seen["degraded"]), degraded, "{diagram}: degraded under {failed:?}");
    }
    let seen = open("#fail=no-such-thing,zone-a&focus=catalog-db");
    assert_eq!(strings(&seen["failed"]), ["zone-a"]);
    assert!(seen["panel"].as_str().unwrap().contains("does not have: no-such-thing"), "{seen}");
    assert_eq!(
        browser.run("return document.querySelectorAll('#bm-diagram g.node.bm-focus').length"),
        json!(1)
    );
    // A pick writes the fragment; Escape takes the failure out of it.
    browser.run("document.getElementById('bm-c0').dispatchEvent(new MouseEvent('click', {bubbles: true}));");
    let first = browser
        .run("return JSON.parse(document.getElementById('blastmap-data').textContent).components[0].id");
    let hash = browser.run("return location.hash");
    assert_eq!(hash, json!(format!("#fail={}&focus=catalog-db", first.as_str().unwrap())), "{diagram}");
    browser.run("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}));");
    assert_eq!(browser.run("return location.hash"), json!("#focus=catalog-db"), "{diagram}");
}

#[test]
fn html_report_in_chromium() {
    let Some((chromium, driver)) = tools() else { return };
    let dir = scratch("browser");
    let report: Value =
        serde_json::from_slice(&blastmap(&["report", "fixtures/shop", "--format", "json", "--detail"]))
            .unwrap();
    let browser = Browser::start(&chromium, &driver, &dir.join("profile"));

    let graphviz_installed = find_program(&["dot"]).is_some();
    if graphviz_installed {
        check_shop(&browser, &dir, "graphviz", &report);
    }
    check_shop(&browser, &dir, "builtin", &report);

    // Hostile names: the page parses, no element or script comes from a
    // name, and the names are there as text.
    let page = dir.join("hostile.html");
    let page_arg = page.display().to_string();
    blastmap(&["report", "fixtures/hostile", "--format", "html", "-o", &page_arg]);
    browser.open(&page);
    // The last component by id is `web"];evil[...`, named `Web <b>bold</b> ...`.
    let last = report_len(&page) - 1;
    browser.click(&format!("#bm-c{last}"));
    let seen = browser.run(
        r"const names = [...document.querySelectorAll('#bm-ids option')].map(o => o.value);
          return {
            scripts: document.querySelectorAll('script').length,
            injected: document.querySelectorAll('b, evil, [onerror], [onclick], iframe, img').length,
            text: document.querySelector('main').textContent,
            options: names,
            title: document.title,
          };",
    );
    assert_eq!(seen["scripts"], json!(2), "only the data and the page script: {seen}");
    assert_eq!(seen["injected"], json!(0), "no element from a name");
    let text = seen["text"].as_str().unwrap();
    for name in ["web\"];evil[label=\"x", "api-->evil", "db<1>", "db&amp;2", "%%{init:{'theme':'dark'}}%%"] {
        assert!(strings(&seen["options"]).iter().any(|o| o == name), "{name} offered as text");
        assert!(text.contains(name), "{name} shown as text");
    }
    assert!(text.contains("Web <b>bold</b>"), "names shown as text");
    let errors = browser.console_errors();
    assert!(errors.is_empty(), "hostile: console errors: {errors:?}");
    browser.screenshot(&dir.join("hostile.png"));
}

/// The page's own simulation against the engine's, on random inventories
/// (`any_of` and quorum groups, soft requirements, placement, cycles): for
/// the single failure of every component, the same down and degraded
/// components and the same cascade path of each, step for step.
#[test]
fn the_page_simulates_every_failure_as_the_engine_does() {
    let Some((chromium, driver)) = tools() else { return };
    let dir = scratch("browser-sim");
    let browser = Browser::start(&chromium, &driver, &dir.join("profile"));
    for (seed, components, requirements, hard_only) in
        [(3, 300, 1200, false), (11, 200, 900, false), (5, 150, 600, true)]
    {
        let config = blastmap_synth::Config { components, requirements, seed, hard_only };
        let text = blastmap_synth::generate(&config, blastmap_synth::Format::Yaml).unwrap();
        let file = dir.join(format!("synth-{seed}.yaml"));
        std::fs::write(&file, &text).unwrap();
        let loaded = blastmap_manifest::load(&[&file], &blastmap_manifest::LoadOptions::default());
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        let engine = blastmap_analysis::cascades::single_failure_cascades(&loaded.model);
        let page = dir.join(format!("synth-{seed}.html"));
        blastmap(&[
            "report",
            file.to_str().unwrap(),
            "--format",
            "html",
            "--diagram",
            "builtin",
            "-o",
            page.to_str().unwrap(),
        ]);
        browser.open(&page);
        let seen = browser.run(
            "const n = JSON.parse(document.getElementById('blastmap-data').textContent).components.length;
             const out = [];
             for (let i = 0; i < n; i++) { out.push(window.blastmapSimulate(i)); }
             return out;",
        );
        let seen = seen.as_array().unwrap();
        assert_eq!(seen.len(), loaded.model.len());
        let mut affected_total = 0;
        for (i, (paths, page)) in engine.iter().zip(seen).enumerate() {
            let by_state = |state: blastmap_analysis::simulate::State| -> Vec<u64> {
                let mut v: Vec<u64> =
                    paths.iter().filter(|p| p.state == state).map(|p| p.path[0].index() as u64).collect();
                v.sort_unstable();
                v
            };
            let list = |key: &str| -> Vec<u64> {
                let mut v: Vec<u64> =
                    page[key].as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect();
                v.sort_unstable();
                v
            };
            assert_eq!(
                list("down"),
                by_state(blastmap_analysis::simulate::State::Down),
                "seed {seed}: down of {i}"
            );
            assert_eq!(
                list("degraded"),
                by_state(blastmap_analysis::simulate::State::Degraded),
                "seed {seed}: degraded of {i}"
            );
            let mut expected: Vec<Vec<u64>> =
                paths.iter().map(|p| p.path.iter().map(|c| c.index() as u64).collect()).collect();
            expected.sort();
            let mut got: Vec<Vec<u64>> = page["paths"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect())
                .collect();
            got.sort();
            assert_eq!(got, expected, "seed {seed}: cascade paths of the failure of {i}");
            affected_total += paths.len();
        }
        assert!(affected_total > loaded.model.len(), "seed {seed}: failures reach something");
        let errors = browser.console_errors();
        assert!(errors.is_empty(), "seed {seed}: console errors: {errors:?}");
    }
}

/// Without a browser too: hostile names never become markup in the page
/// (both layouts), and the same input gives the same bytes.
#[test]
fn html_report_escapes_hostile_names() {
    let dir = scratch("html-escaping");
    for diagram in ["builtin", "auto"] {
        let page = dir.join(format!("hostile-{diagram}.html"));
        let arg = page.display().to_string();
        blastmap(&["report", "fixtures/hostile", "--format", "html", "--diagram", diagram, "-o", &arg]);
        let html = std::fs::read_to_string(&page).unwrap();
        let lower = html.to_ascii_lowercase();
        assert_eq!(lower.matches("<script").count(), 2, "{diagram}: only the data and the page script");
        assert_eq!(lower.matches("</script").count(), 2, "{diagram}");
        for needle in ["<b>", "<evil", "<script>alert", "</script><script>"] {
            assert!(!html.contains(needle), "{diagram}: {needle} raw in the page");
        }
        assert!(html.contains("Web &lt;b&gt;bold&lt;/b&gt;"), "{diagram}: the name as escaped text");
        let data = &html[html.find("id=\"blastmap-data\">").unwrap()..];
        let data = &data[data.find('>').unwrap() + 1..data.find("</script>").unwrap()];
        assert!(!data.contains(['<', '>', '&']), "{diagram}: embedded JSON escaped");
        let again = blastmap(&["report", "fixtures/hostile", "--format", "html", "--diagram", diagram]);
        assert_eq!(again, html.as_bytes(), "{diagram}: deterministic");
    }
}

/// The page says what it cannot know instead of showing zeros: nothing
/// critical (no SPOF count, a warning in both sections), placeholders
/// (defined nowhere) and a large hard cycle as a closed path.
#[test]
fn html_report_says_what_it_cannot_know() {
    let page =
        String::from_utf8(blastmap(&["report", "fixtures/policy/nothing-critical.yaml", "--format", "html"]))
            .unwrap();
    assert!(page.contains("<strong>?</strong> <span>single points of failure: nothing is critical</span>"));
    assert_eq!(page.matches("None can be reported: no component is critical.").count(), 2);
    let page =
        String::from_utf8(blastmap(&["report", "fixtures/valid/placeholder.yaml", "--format", "html"]))
            .unwrap();
    assert!(
        page.contains("Defined nowhere: 1 component referenced but described by no input file (shared-db)")
    );
    assert!(!page.contains("None can be reported"));
    let page =
        String::from_utf8(blastmap(&["report", "fixtures/valid/tangle.yaml", "--format", "html"])).unwrap();
    assert!(page.contains("5 components; shortest cycle through <button"), "no closed path in the page");
}

/// The real Mermaid library (`npm install --prefix tests/npm`), or `None`
/// (skip) outside CI.
fn mermaid_library() -> Option<PathBuf> {
    let path = root().join("tests/npm/node_modules/mermaid/dist/mermaid.min.js");
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the Mermaid library is not installed: CI must check Mermaid diagrams with it (npm install --prefix tests/npm)"
    );
    #[allow(clippy::print_stderr, reason = "a skipped check must say so in the test output")]
    {
        eprintln!("skipped: the Mermaid library is not installed (npm install --prefix tests/npm)");
    }
    None
}

/// Every Mermaid diagram blastmap writes is one the real Mermaid library
/// (the one GitHub renders with) draws: within its limits of 500 arrows
/// and 50,000 characters at every size, folded with a comment that says
/// so when the inventory is larger, and with hostile names.
#[test]
fn the_mermaid_library_draws_every_diagram() {
    let Some((chromium, driver)) = tools() else { return };
    let Some(library) = mermaid_library() else { return };
    let dir = scratch("mermaid");
    let big = dir.join("big.yaml");
    let config = blastmap_synth::Config { components: 2000, requirements: 10_000, seed: 1, hard_only: false };
    std::fs::write(&big, blastmap_synth::generate(&config, blastmap_synth::Format::Yaml).unwrap()).unwrap();
    let b = big.display().to_string();
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("shop", vec!["graph", "fixtures/shop", "--format", "mermaid"]),
        ("shop zone-a", vec!["simulate", "fixtures/shop", "--fail", "zone-a", "--format", "mermaid"]),
        ("hostile", vec!["graph", "fixtures/hostile", "--format", "mermaid"]),
        ("quorum", vec!["graph", "fixtures/valid/quorum.yaml", "--format", "mermaid"]),
        (
            "shop focus",
            vec![
                "graph",
                "fixtures/shop",
                "--focus",
                "checkout",
                "--depth",
                "1",
                "--fail",
                "zone-a",
                "--format",
                "mermaid",
            ],
        ),
        ("2000", vec!["graph", &b, "--format", "mermaid"]),
        ("2000 --all", vec!["graph", &b, "--format", "mermaid", "--all"]),
        ("2000 simulate", vec!["simulate", &b, "--fail", "zone-000000", "--format", "mermaid"]),
    ];
    let texts: Vec<String> =
        cases.iter().map(|(_, args)| String::from_utf8(blastmap(args)).unwrap()).collect();
    let page = dir.join("mermaid.html");
    std::fs::write(
        &page,
        format!(
            "<!DOCTYPE html><html><body><script src=\"file://{}\"></script></body></html>",
            library.display()
        ),
    )
    .unwrap();
    let browser = Browser::start(&chromium, &driver, &dir.join("profile"));
    browser.open(&page);
    let results = browser.run_async(
        r"const done = arguments[arguments.length - 1];
          const texts = arguments[0];
          mermaid.initialize({startOnLoad: false});
          (async () => {
            const out = [];
            for (let i = 0; i < texts.length; i++) {
              try {
                const {svg} = await mermaid.render('d' + i, texts[i]);
                out.push({ok: true, nodes: (svg.match(/class=.node/g) || []).length});
              } catch (e) {
                out.push({ok: false, error: String(e && e.message || e)});
              }
            }
            done(out);
          })();",
        &json!([texts]),
    );
    for (((name, _), text), result) in cases.iter().zip(&texts).zip(results.as_array().unwrap()) {
        assert_eq!(result["ok"], json!(true), "{name}: Mermaid refuses it: {}", result["error"]);
        assert!(text.len() <= 50_000, "{name}: {} characters", text.len());
    }
    for folded in &texts[5..] {
        assert!(folded.contains("%% folded:"), "a 2,000-component diagram says what it folded");
    }
}

/// Above 150 components the diagram draws groups: a pick colours every
/// group that has an affected member, and counts them exactly as the
/// engine's blast radius does (`report --format json --detail`).
#[test]
fn a_pick_colours_the_groups_of_a_large_inventory() {
    let Some((chromium, driver)) = tools() else { return };
    let dir = scratch("groups");
    let big = dir.join("big.yaml");
    let config = blastmap_synth::Config { components: 2000, requirements: 10_000, seed: 1, hard_only: false };
    std::fs::write(&big, blastmap_synth::generate(&config, blastmap_synth::Format::Yaml).unwrap()).unwrap();
    let (b, page) = (big.display().to_string(), dir.join("big.html"));
    blastmap(&["report", &b, "--format", "html", "--diagram", "builtin", "-o", &page.display().to_string()]);
    let report: Value = serde_json::from_slice(&blastmap(&[
        "report",
        &b,
        "--format",
        "json",
        "--detail",
        "--analyses",
        "blast-radius",
    ]))
    .unwrap();
    let browser = Browser::start(&chromium, &driver, &dir.join("profile"));
    for failed in ["zone-000000", "data-000009"] {
        browser.call(
            "POST",
            "/url",
            Some(&json!({"url": format!("file://{}#fail={failed}", page.display())})),
        );
        let seen = browser.run(
            r"const data = JSON.parse(document.getElementById('blastmap-data').textContent);
              const groups = data.components.map(c => c.group);
              const marked = {};
              document.querySelectorAll('#bm-diagram g.node[id^=bm-g].bm-hit').forEach(g => {
                marked[g.id.slice(4)] = g.getAttribute('data-counts');
              });
              return {groups: groups, ids: data.components.map(c => c.id), marked: marked};",
        );
        let ids: Vec<&str> = seen["ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        let group_of =
            |id: &str| seen["groups"][ids.iter().position(|i| *i == id).unwrap()].as_u64().unwrap();
        let (down, degraded) = expected(&report, failed);
        let mut want: std::collections::BTreeMap<String, [usize; 4]> = std::collections::BTreeMap::new();
        for g in seen["groups"].as_array().unwrap() {
            want.entry(g.as_u64().unwrap().to_string()).or_default()[3] += 1;
        }
        want.get_mut(&group_of(failed).to_string()).unwrap()[0] += 1;
        for d in &down {
            want.get_mut(&group_of(d).to_string()).unwrap()[1] += 1;
        }
        for d in &degraded {
            want.get_mut(&group_of(d).to_string()).unwrap()[2] += 1;
        }
        let want: std::collections::BTreeMap<String, String> = want
            .into_iter()
            .filter(|(_, [f, d, g, _])| f + d + g > 0)
            .map(|(k, [f, d, g, all])| (k, format!("{f} failed, {d} down, {g} degraded of {all}")))
            .collect();
        let marked: std::collections::BTreeMap<String, String> = seen["marked"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        assert!(!marked.is_empty(), "{failed}: no group coloured");
        assert_eq!(marked, want, "{failed}: the groups coloured and their counts");
        let hot =
            browser.run("return document.querySelectorAll('#bm-diagram g.edge.bm-hot[id^=bm-ge]').length");
        assert!(hot.as_u64().unwrap() > 0, "{failed}: cascade paths between groups drawn");
    }
    // A click on a group box opens it in the panel: its members, by state.
    let opened = browser.run(
        r"const box = document.querySelector('#bm-diagram g.node[id^=bm-g]');
          box.dispatchEvent(new MouseEvent('click', {bubbles: true}));
          const g = Number(box.id.slice(4));
          const data = JSON.parse(document.getElementById('blastmap-data').textContent);
          return {members: data.components.filter(c => c.group === g).length,
                  panel: document.getElementById('bm-details').textContent};",
    );
    let members = opened["members"].as_u64().unwrap();
    assert!(opened["panel"].as_str().unwrap().contains(&format!("{members} components")), "{opened}");
    // ... and expands it in the diagram: its members drawn one by one, a
    // pick marked inside, and back to the overview.
    let inside = browser.run(
        r"const svg = document.querySelector('#bm-diagram svg');
          const nodes = [...svg.querySelectorAll('g.node[id^=bm-c]')].map(g => Number(g.id.slice(4)));
          nodes[0] !== undefined && document.getElementById('bm-c' + nodes[0])
            .dispatchEvent(new MouseEvent('click', {bubbles: true}));
          return {expanded: svg.classList.contains('bm-expanded'), nodes: nodes.length,
                  failed: document.querySelectorAll('#bm-diagram g.node.bm-failed').length};",
    );
    assert_eq!(inside["expanded"], json!(true), "{inside}");
    assert_eq!(inside["nodes"].as_u64(), Some(members), "every member drawn: {inside}");
    assert_eq!(inside["failed"], json!(1), "a pick inside the expanded group is marked: {inside}");
    let back = browser.run(
        r"document.getElementById('bm-back').click();
          return document.querySelector('#bm-diagram svg').classList.contains('bm-overview');",
    );
    assert_eq!(back, json!(true), "back to the overview");
    browser.screenshot(&dir.join("groups.png"));
}

/// The page of 10,000 components: at most 8 MB (a size, so a check), and
/// how long it takes to become interactive and to show a pick (times, so
/// measured and printed for BENCHMARKS.md, never asserted: the machine is
/// shared).
#[test]
fn the_page_of_ten_thousand_components_is_small_and_its_times_are_measured() {
    let Some((chromium, driver)) = tools() else { return };
    let dir = scratch("ten-thousand");
    let big = dir.join("big.yaml");
    let config =
        blastmap_synth::Config { components: 10_000, requirements: 50_000, seed: 1, hard_only: false };
    std::fs::write(&big, blastmap_synth::generate(&config, blastmap_synth::Format::Yaml).unwrap()).unwrap();
    let page = dir.join("big.html");
    blastmap(&["report", &big.display().to_string(), "--format", "html", "-o", &page.display().to_string()]);
    let bytes = std::fs::metadata(&page).unwrap().len();
    assert!(bytes <= 8_000_000, "the 10k page is {bytes} bytes");
    let browser = Browser::start(&chromium, &driver, &dir.join("profile"));
    browser.open(&page);
    let timing = browser.run(
        r"const nav = performance.getEntriesByType('navigation')[0];
          const data = JSON.parse(document.getElementById('blastmap-data').textContent);
          const region = data.components.findIndex(c => c.kind === 'region');
          const search = document.getElementById('bm-search');
          const started = performance.now();
          search.value = data.components[region].id;
          search.dispatchEvent(new Event('input'));
          const picked = performance.now() - started;
          return {interactive: nav.domInteractive, loaded: nav.loadEventEnd, pick: picked,
                  hit: document.querySelectorAll('#bm-diagram g.node.bm-hit').length};",
    );
    assert!(timing["hit"].as_u64().unwrap() > 0, "the pick coloured the groups: {timing}");
    #[allow(clippy::print_stderr, reason = "the measured figures, for BENCHMARKS.md")]
    {
        eprintln!(
            "10k page: {bytes} bytes; interactive after {:.0} ms, loaded after {:.0} ms; a pick (the region) in {:.0} ms",
            timing["interactive"].as_f64().unwrap_or(0.0),
            timing["loaded"].as_f64().unwrap_or(0.0),
            timing["pick"].as_f64().unwrap_or(0.0)
        );
    }
    browser.screenshot(&dir.join("big.png"));
}

/// Every label and value of the availability chart lies inside the chart,
/// however long the ids (a long id is shortened in the middle; its row's
/// tooltip has it whole).
#[test]
fn availability_chart_labels_are_never_clipped() {
    let Some((chromium, driver)) = tools() else { return };
    let dir = scratch("chart");
    let long = "a-really-long-service-identifier-for-the-checkout-payments-gateway";
    std::fs::write(
        dir.join("inv.yaml"),
        format!(
            "blastmap: 1\ncomponents:\n  {long}: {{ tier: 1, slo: 99.99, availability: 99.95, depends_on: [db] }}\n  \
             short: {{ tier: 1, slo: 99.9999, availability: 99.5, depends_on: [db] }}\n  \
             db: {{ kind: database, availability: 99.9, slo: 90 }}\n"
        ),
    )
    .unwrap();
    let page = dir.join("page.html");
    blastmap(&[
        "report",
        &dir.join("inv.yaml").display().to_string(),
        "--format",
        "html",
        "-o",
        &page.display().to_string(),
    ]);
    let browser = Browser::start(&chromium, &driver, &dir.join("profile"));
    browser.open(&page);
    let seen = browser.run(
        r"const svg = document.querySelector('svg.bm-chart');
          const box = svg.viewBox.baseVal;
          const out = [];
          svg.querySelectorAll('text').forEach(t => {
            const b = t.getBBox();
            if (b.x < box.x - 0.5 || b.x + b.width > box.x + box.width + 0.5) { out.push(t.textContent); }
          });
          return {clipped: out, titles: [...svg.querySelectorAll('g.bm-row > title')].map(t => t.textContent)};",
    );
    assert_eq!(seen["clipped"], json!([]), "labels outside the chart: {seen}");
    assert!(
        seen["titles"].as_array().unwrap().iter().any(|t| t.as_str().unwrap().starts_with(long)),
        "{seen}"
    );
}
