//! completions/ and man/ are generated from the clap definition and committed; these tests
//! fail when they are stale. Regenerate with `cargo run -- generate --out-dir .`.

use std::collections::BTreeSet;

use crate::support::root;

const HOW: &str = "stale: regenerate with `cargo run -- generate --out-dir .` and commit";

#[test]
fn completions_are_fresh() {
    for shell in rtctl::gen::SHELLS {
        let path = root()
            .join("completions")
            .join(rtctl::gen::completion_file(shell));
        let committed = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; {HOW}", path.display()));
        assert!(
            committed == rtctl::gen::completion(shell),
            "{} is {HOW}",
            path.display()
        );
    }
}

#[test]
fn man_pages_are_fresh_and_complete() {
    let pages = rtctl::gen::man_pages();
    let expected: BTreeSet<String> = pages.iter().map(|(n, _)| n.clone()).collect();
    for want in [
        "rtctl.1",
        "rtctl-plan.1",
        "rtctl-simulate.1",
        "rtctl-simulate-nat.1",
        "rtctl-simulate-assign.1",
        "rtctl-render-kong.1",
        "rtctl-render-nginx.1",
        "rtctl-render-haproxy.1",
        "rtctl-render-pm2.1",
        "rtctl-render-systemd.1",
        "rtctl-serve.1",
        "rtctl-top.1",
        "rtctl-status.1",
        "rtctl-publish.1",
    ] {
        assert!(expected.contains(want), "{want} not generated");
    }
    let on_disk: BTreeSet<String> = std::fs::read_dir(root().join("man"))
        .expect("man/ exists")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(on_disk, expected, "man/ has extra or missing pages; {HOW}");
    for (name, text) in pages {
        let committed = std::fs::read_to_string(root().join("man").join(&name)).unwrap();
        assert!(committed == text, "man/{name} is {HOW}");
        assert!(text.contains(".TH"), "man/{name} has no .TH header");
    }
}

#[test]
fn cli_definition_is_consistent() {
    use clap::CommandFactory;
    rtctl::cli::Cli::command().debug_assert();
}
