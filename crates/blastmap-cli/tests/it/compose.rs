//! `blastmap import` of Docker Compose projects end to end: entrypoints
//! with the construct that makes them one, edges only where a value names
//! a host, one-shot jobs, and `.env.example` read in place of `.env`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_blastmap"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run blastmap")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("compose-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The manifest `import --format json` writes, and the stderr.
fn import_json(dir: &Path, files: &[&str]) -> (Value, String) {
    let mut args = vec!["import", "--format", "json"];
    args.extend(files);
    let out = run(dir, &args);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    (serde_json::from_slice(&out.stdout).unwrap(), stderr)
}

fn targets(manifest: &Value, id: &str) -> Vec<String> {
    let deps = manifest["components"][id]["depends_on"].as_array().cloned().unwrap_or_default();
    deps.iter()
        .map(|d| d.as_str().map_or_else(|| d["target"].as_str().unwrap().to_owned(), str::to_owned))
        .collect()
}

fn entrypoints(manifest: &Value) -> Vec<String> {
    let components = manifest["components"].as_object().unwrap();
    components
        .iter()
        .filter(|(_, c)| c["entrypoint"] == Value::Bool(true))
        .map(|(id, _)| id.clone())
        .collect()
}

#[test]
fn the_front_door_and_the_web_front_end_are_the_entrypoints_each_with_its_evidence() {
    let (manifest, _) = import_json(&root(), &["fixtures/compose/platform/compose.yaml"]);
    assert_eq!(entrypoints(&manifest), ["edge", "web"]);
    let out = run(&root(), &["import", "fixtures/compose/platform/compose.yaml"]);
    let yaml = String::from_utf8(out.stdout).unwrap();
    let file = "fixtures/compose/platform/compose.yaml";
    assert!(yaml.contains(&format!(
        "# entrypoint: front door (reverse proxy image `nginx:1.27`); publishes host ports 80 ({file}:7), 443 ({file}:8)"
    )));
    assert!(yaml.contains(&format!(
        "# entrypoint: publishes host port 3000 ({file}:15); a web front end by its name"
    )));
    // Every `entrypoint: true` comes right after its evidence.
    let lines: Vec<&str> = yaml.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim() == "entrypoint: true" {
            assert!(lines[i - 1].trim_start().starts_with("# entrypoint: "), "{yaml}");
        }
    }
    // What publishes beside the front door says why it is not one.
    for (id, why) in [
        ("api", "beside the front door `edge`"),
        ("postgres", "it is a database"),
        ("cache", "on 127.0.0.1 only"),
        ("pgadmin", "it is an admin tool"),
        ("grafana", "it is a monitoring back end"),
    ] {
        let at = yaml.find(&format!("\n  {id}:\n")).unwrap_or_else(|| panic!("{id} in\n{yaml}"));
        let note = yaml[at..].lines().nth(2).unwrap();
        assert!(note.contains(why), "{id}: {note}");
    }
}

#[test]
fn only_values_that_name_a_host_become_edges() {
    let (manifest, _) = import_json(&root(), &["fixtures/compose/platform/compose.yaml"]);
    // DSN `?host=`, a broker list, a host from `.env.example`, depends_on;
    // not `DB_DRIVER: postgres` alone, `FEATURES: search,billing` nor
    // free text that mentions billing.
    assert_eq!(targets(&manifest, "api"), ["cache", "kafka1", "kafka2", "migrate", "postgres"]);
    // `--db-host=postgres`, `--broker kafka1:9092`.
    assert_eq!(targets(&manifest, "billing"), ["kafka1", "postgres"]);
    // `wait-for-it postgres:5432`, `-h cache` inside `sh -c "..."`.
    assert_eq!(targets(&manifest, "worker"), ["cache", "postgres"]);
    assert_eq!(manifest["components"]["migrate"]["kind"], "job");
    assert_eq!(manifest["components"]["pgadmin"]["kind"], Value::Null);
}

#[test]
fn an_env_example_is_read_with_one_warning_and_a_real_env_wins() {
    let (manifest, stderr) = import_json(&root(), &["fixtures/compose/platform/compose.yaml"]);
    assert_eq!(stderr.matches('⚠').count(), 1, "{stderr}");
    assert!(stderr.contains("the example values of `.env.example` are read"), "{stderr}");
    assert!(!stderr.contains("is not set"), "{stderr}");
    assert!(targets(&manifest, "api").contains(&"cache".to_owned()));

    let dir = scratch("real-env");
    let fixture = root().join("fixtures/compose/platform");
    for f in ["compose.yaml", ".env.example"] {
        std::fs::copy(fixture.join(f), dir.join(f)).unwrap();
    }
    std::fs::write(dir.join(".env"), "WEB_PORT=4000\n").unwrap();
    let out = run(&dir, &["import", "compose.yaml"]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    let yaml = String::from_utf8(out.stdout).unwrap();
    assert!(yaml.contains("publishes host port 4000 (compose.yaml:15)"), "{yaml}");
    assert!(!stderr.contains(".env.example"), "{stderr}");
    // `.env` does not set CACHE_HOST: said once, and the edge is gone.
    assert_eq!(stderr.matches("variable `CACHE_HOST` is not set").count(), 1, "{stderr}");
}

#[test]
fn without_a_front_door_every_published_service_but_datastores_is_an_entrypoint() {
    let (manifest, _) = import_json(&root(), &["fixtures/compose/no-door/compose.yaml"]);
    // `admin` publishes `"9000"` only: Docker picks the host port; `pooler`
    // publishes only a database's and a cache's ports; `seed-loader` is a
    // one-shot job (`restart: "no"`, `load`).
    assert_eq!(entrypoints(&manifest), ["app"]);
    assert_eq!(targets(&manifest, "app"), ["redis"]);
    assert_eq!(manifest["components"]["seed-loader"]["kind"], "job");
    assert_eq!(targets(&manifest, "seed-loader"), ["redis"]);
    let out = run(&root(), &["import", "fixtures/compose/no-door/compose.yaml"]);
    let yaml = String::from_utf8(out.stdout).unwrap();
    assert!(yaml.contains("but those are well-known datastore, broker or metrics ports"), "{yaml}");
    assert!(
        yaml.contains(
            "but it is a one-shot job (`restart: \"no\"` with a command that does a job and exits)"
        ),
        "{yaml}"
    );
}

#[test]
fn twenty_thousand_services_import_in_linear_time() {
    let dir = scratch("20k");
    let mut text = String::from("services:\n  edge:\n    image: nginx:1.27\n    ports: [\"80:80\"]\n");
    for i in 0..20_000 {
        text.push_str(&format!(
            "  svc{i}:\n    image: acme/svc:1\n    ports: [\"{}:8080\"]\n    command: [\"svc\", \"--db-host=svc{}\"]\n    environment:\n      NEXT_URL: http://svc{}:8080\n      MODE: svc{}\n",
            10_000 + i % 50_000,
            (i + 1) % 20_000,
            (i + 2) % 20_000,
            (i + 3) % 20_000,
        ));
    }
    std::fs::write(dir.join("compose.yaml"), text).unwrap();
    let started = std::time::Instant::now();
    let (manifest, _) = import_json(&dir, &["compose.yaml"]);
    let took = started.elapsed();
    assert_eq!(manifest["components"].as_object().unwrap().len(), 20_001);
    assert_eq!(entrypoints(&manifest), ["edge"]);
    assert_eq!(targets(&manifest, "svc0"), ["svc1", "svc2"]);
    // A debug build on a busy machine takes a few seconds; quadratic work
    // over 20 000 services would take minutes.
    assert!(took.as_secs() < 60, "took {took:?}");
}

#[test]
fn an_env_file_missing_beside_its_example_reads_the_example_under_the_same_one_warning() {
    let dir = scratch("env-file-example");
    std::fs::write(
        dir.join("compose.yaml"),
        "services:\n  api:\n    image: acme/api\n    env_file: .env\n    environment:\n      CACHE: ${CACHE_HOST}:6379\n  cache:\n    image: redis:7\n",
    )
    .unwrap();
    std::fs::write(dir.join(".env.example"), "CACHE_HOST=cache\nDB_HOST=cache\n").unwrap();
    let (manifest, stderr) = import_json(&dir, &["compose.yaml"]);
    assert_eq!(stderr.matches('⚠').count(), 1, "{stderr}");
    assert!(stderr.contains("the example values of `.env.example` are read"), "{stderr}");
    assert!(!stderr.contains("cannot read env file"), "{stderr}");
    assert_eq!(targets(&manifest, "api"), ["cache"]);
}
