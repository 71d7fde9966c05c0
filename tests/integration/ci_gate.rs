//! Under `CI=true` a missing tool fails the run: build.rs lists the tools it did not find in
//! `RTCTL_TESTS_MISSING` (their tests are compiled as ignored), and this test refuses a CI run
//! in which any test would be ignored for that reason. Also compiled into the probe crate of
//! `tools::a_test_whose_tool_is_missing_shows_as_ignored_not_passed` (no crate imports here).

/// `CI` set to anything but empty, `0` or `false` (GitHub, GitLab and `.ci/run` set `true`).
fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

#[test]
fn every_tool_the_tests_use_is_present_under_ci() {
    let missing = env!("RTCTL_TESTS_MISSING");
    // The list and the cfgs come from the same probe: one tool, one entry.
    let absent_cfgs = [
        !cfg!(have_redis),
        !cfg!(have_node_modules),
        !cfg!(have_nginx),
        !cfg!(have_haproxy),
        !cfg!(have_promtool),
        !cfg!(have_python_socketio),
        !cfg!(have_pyyaml),
        !cfg!(have_ss),
        !cfg!(have_tmux),
        !cfg!(have_systemd_analyze),
    ];
    let listed = missing.split("; ").filter(|m| !m.is_empty()).count();
    assert_eq!(
        listed,
        absent_cfgs.iter().filter(|a| **a).count(),
        "RTCTL_TESTS_MISSING disagrees with the cfgs: {missing:?}"
    );
    if under_ci() {
        assert!(
            missing.is_empty(),
            "CI is set, but tests needing these would be ignored: {missing}. \
             .ci/run installs them; tests/fetch fetches the npm and pip packages."
        );
    }
}
