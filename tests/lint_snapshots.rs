//! Lint's output over a corpus of broken configurations, one per rule
//! (`tests/lint/CODE-name.conf`): the text report, the JSON array and the
//! SARIF results, as `exim-expand lint` prints them, snapshot by insta.
//! Each file must raise its own code; every rule has a file.  A line
//! `# lint-args: ...` in a file gives the lint options it is run with.

use std::path::Path;
use std::process::Command;

fn lint(dir: &Path, file: &str, args: &[&str]) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_exim-expand"))
        .current_dir(dir)
        .args(["--color", "never", "lint"])
        .args(args)
        .arg(file)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (text, out.status.code().unwrap_or(-1))
}

#[test]
fn one_configuration_per_rule() {
    insta::glob!("lint/*.conf", |path| {
        let dir = path.parent().unwrap();
        let file = path.file_name().unwrap().to_str().unwrap();
        let code = &file[..4];
        let conf = std::fs::read_to_string(path).unwrap();
        let own: Vec<&str> = conf
            .lines()
            .find_map(|l| l.strip_prefix("# lint-args:"))
            .map(|a| a.split_whitespace().collect())
            .unwrap_or_default();
        let with = |more: &[&'static str]| -> Vec<&str> {
            own.iter().copied().chain(more.iter().copied()).collect()
        };
        let (text, status) = lint(dir, file, &with(&[]));
        let (json, _) = lint(dir, file, &with(&["--format", "json"]));
        let (sarif, _) = lint(dir, file, &with(&["--format", "sarif"]));
        let found: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(
            found.as_array().unwrap().iter().any(|f| f["code"] == code),
            "{file} does not raise {code}: {json}"
        );
        let want_status = match code {
            "E100" => 2,
            c if c.starts_with('E') => 1,
            _ => 0,
        };
        assert_eq!(status, want_status, "{file}: {text}");
        let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
        let results = serde_json::to_string_pretty(&sarif["runs"][0]["results"]).unwrap();
        insta::assert_snapshot!(format!(
            "exit status {status}\n--- text\n{text}--- json\n{json}--- sarif results\n{results}\n"
        ));
    });
}

#[test]
fn every_rule_has_its_configuration() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint");
    let files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for r in exim_expand::lint::codes::RULES {
        let want = format!("{}-{}.conf", r.code, r.name);
        assert!(files.contains(&want), "tests/lint/{want} is missing");
    }
}

#[test]
fn the_sarif_log_describes_every_rule() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint");
    let (sarif, _) = lint(&dir, "E002-unknown-variable.conf", &["--format", "sarif"]);
    let mut log: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    // The tool's version changes with each release; the rest must not.
    log["runs"][0]["tool"]["driver"]["version"] = "VERSION".into();
    insta::assert_snapshot!(serde_json::to_string_pretty(&log).unwrap());
}
