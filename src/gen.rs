//! Shell completions and man pages, generated from the clap definition.
//! `rtctl generate --out-dir .` rewrites `completions/` and `man/`; a test fails when the
//! committed files are stale.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::error::{Error, Result};

pub const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::PowerShell,
    Shell::Elvish,
];

/// The completion script for one shell.
pub fn completion(shell: Shell) -> String {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "rtctl", &mut buf);
    String::from_utf8(buf).expect("completions are UTF-8")
}

/// File name of a shell's completion script inside `completions/`.
pub fn completion_file(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => "rtctl.bash",
        Shell::Zsh => "_rtctl",
        Shell::Fish => "rtctl.fish",
        Shell::PowerShell => "_rtctl.ps1",
        Shell::Elvish => "rtctl.elv",
        _ => "rtctl.unknown",
    }
}

/// Every man page: `(file name, roff text)`, rtctl.1 plus one per (sub)subcommand, hidden ones
/// excluded.
pub fn man_pages() -> Vec<(String, String)> {
    let mut out = Vec::new();
    collect(Cli::command(), "rtctl".into(), &mut out);
    out
}

fn collect(cmd: clap::Command, name: String, out: &mut Vec<(String, String)>) {
    let cmd = cmd.name(name.clone()).bin_name(name.replace('-', " "));
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .title(name.clone())
        .render(&mut buf)
        .expect("rendering into memory");
    out.push((
        format!("{name}.1"),
        String::from_utf8(buf).expect("man pages are UTF-8"),
    ));
    for sub in cmd.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        collect(sub.clone(), format!("{name}-{}", sub.get_name()), out);
    }
}

/// Write completions/ and man/ under `out_dir`; returns the files written.
pub fn write_all(out_dir: &Path) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let comp = out_dir.join("completions");
    let man = out_dir.join("man");
    for dir in [&comp, &man] {
        std::fs::create_dir_all(dir).map_err(|source| Error::Output {
            target: dir.display().to_string(),
            source,
        })?;
    }
    let mut files: Vec<(PathBuf, String)> = SHELLS
        .iter()
        .map(|&s| (comp.join(completion_file(s)), completion(s)))
        .collect();
    files.extend(man_pages().into_iter().map(|(n, t)| (man.join(n), t)));
    for (path, text) in files {
        std::fs::write(&path, text).map_err(|source| Error::Output {
            target: path.display().to_string(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}
