//! Colour in every human-readable output, decided the same way everywhere:
//! `--color`, then `NO_COLOR`, then `CLICOLOR_FORCE`, then whether the
//! stream is a terminal (these tests never have one). Painting changes no
//! character: without its escape sequences a painted output is the plain
//! one, byte for byte, tables aligned.

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_blastmap"));
    cmd.current_dir(root()).args(args).env("BLASTMAP_TODAY", "2026-05-01");
    for var in ["NO_COLOR", "CLICOLOR_FORCE", "CLICOLOR", "TERM"] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("run blastmap")
}

/// The text without the SGR sequences blastmap writes (`ESC [ digits ; m`);
/// any other escape sequence is left in, so that tests see it.
fn strip(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] == 0x1b && text.get(i + 1) == Some(&b'[') {
            let end = text[i + 2..].iter().position(|&b| !(b.is_ascii_digit() || b == b';'));
            if let Some(n) = end.filter(|&n| text.get(i + 2 + n) == Some(&b'm')) {
                i += n + 3;
                continue;
            }
        }
        out.push(text[i]);
        i += 1;
    }
    out
}

fn painted(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|w| w == b"\x1b[")
}

/// Every command with a text output, on the example and on the fixture
/// whose ids try to inject escape sequences.
const TEXT: [&[&str]; 8] = [
    &["report", "fixtures/shop"],
    &["simulate", "fixtures/shop", "--fail", "zone-a"],
    &["check", "fixtures/shop"],
    &["diff", "fixtures/valid/shop-small.json", "fixtures/shop"],
    &["validate", "fixtures/shop"],
    &["report", "fixtures/hostile-terminal"],
    &["simulate", "fixtures/hostile-terminal", "--fail", "db%%"],
    &["check", "fixtures/hostile-terminal"],
];

#[test]
fn color_always_paints_every_text_output_and_changes_no_character() {
    for args in TEXT {
        let plain = run(&[&["--color", "never"], args].concat(), &[]);
        let colour = run(&[&["--color", "always"], args].concat(), &[]);
        assert_eq!(plain.status.code(), colour.status.code(), "{args:?}");
        assert!(!painted(&plain.stdout) && !painted(&plain.stderr), "{args:?}: --color never paints");
        assert!(painted(&colour.stdout), "{args:?}: --color always paints standard output");
        assert!(painted(&colour.stderr), "{args:?}: and standard error");
        assert_eq!(strip(&colour.stdout), plain.stdout, "{args:?}: only escape sequences are added");
        assert_eq!(strip(&colour.stderr), plain.stderr, "{args:?}");
        // No escape sequence of the manifest's survives in painted output.
        assert!(!strip(&colour.stdout).contains(&0x1b), "{args:?}: a foreign escape sequence");
    }
}

#[test]
fn the_environment_decides_when_the_flag_does_not() {
    let args = ["check", "fixtures/shop"];
    // Not a terminal: no colour by default.
    assert!(!painted(&run(&args, &[]).stdout));
    // CLICOLOR_FORCE paints even into a pipe, NO_COLOR wins over it, and
    // the flag wins over both.
    assert!(painted(&run(&args, &[("CLICOLOR_FORCE", "1")]).stdout));
    assert!(!painted(&run(&args, &[("CLICOLOR_FORCE", "0")]).stdout));
    assert!(!painted(&run(&args, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).stdout));
    assert!(painted(&run(&["--color", "always", "check", "fixtures/shop"], &[("NO_COLOR", "1")]).stdout));
    assert!(!painted(
        &run(&["--color", "never", "check", "fixtures/shop"], &[("CLICOLOR_FORCE", "1")]).stdout
    ));
}

#[test]
fn machine_readable_formats_and_files_are_never_painted_unless_asked() {
    for args in [
        &["report", "fixtures/shop", "--format", "json"][..],
        &["report", "fixtures/shop", "--format", "markdown"],
        &["check", "fixtures/shop", "--format", "sarif"],
        &["check", "fixtures/shop", "--format", "github"],
        &["check", "fixtures/shop", "--format", "junit"],
        &["simulate", "fixtures/shop", "--fail", "zone-a", "--format", "json"],
        &["diff", "fixtures/valid/shop-small.json", "fixtures/shop", "--format", "markdown"],
        &["validate", "fixtures/shop", "--format", "json"],
    ] {
        let out = run(&[&["--color", "always"], args].concat(), &[]);
        assert!(!painted(&out.stdout), "{args:?}: a machine-readable format is never painted");
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("colour-file");
    std::fs::create_dir_all(&dir).expect("scratch");
    let file = dir.join("report.txt");
    let file_arg = file.to_str().expect("utf-8 path");
    run(&["report", "fixtures/shop", "-o", file_arg], &[]);
    assert!(!painted(&std::fs::read(&file).expect("written")), "a file gets no colour by default");
    run(&["--color", "always", "report", "fixtures/shop", "-o", file_arg], &[]);
    assert!(painted(&std::fs::read(&file).expect("written")), "unless asked");
}

#[test]
fn errors_paint_their_words_too() {
    let out = run(&["--color", "always", "report", "fixtures/no-such-inventory"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(painted(&out.stderr), "{}", String::from_utf8_lossy(&out.stderr));
    let plain = run(&["--color", "never", "report", "fixtures/no-such-inventory"], &[]);
    assert_eq!(strip(&out.stderr), plain.stderr);
}
