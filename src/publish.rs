//! `rtctl publish`: send a notification through the publish API of a node (or the gateway in
//! front of the nodes) and print the offset the log gave it. `--count` and `--rate` make a
//! quick smoke load, with a progress bar on a terminal.

use std::io::{IsTerminal, Read, Write};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::cli::{OutputFormat, PublishArgs};
use crate::error::{Error, Result};

/// The request body for these flags (the payload is checked as JSON here, so a typo names the
/// flag instead of coming back as a 400).
pub fn body(args: &PublishArgs) -> Result<Value> {
    let target = match (&args.department, &args.device, args.all) {
        (Some(d), None, false) => json!({ "department": d }),
        (None, Some(d), false) => json!({ "device": d }),
        (None, None, true) => json!({ "all": true }),
        _ => {
            return Err(Error::flag(
                "--department/--device/--all",
                "expected exactly one target",
            ))
        }
    };
    let (text, flag) = match (&args.payload, &args.payload_file) {
        (Some(p), _) => (p.clone(), "--payload".to_string()),
        (None, Some(path)) => {
            let mut s = String::new();
            let r = if path.as_os_str() == "-" {
                std::io::stdin().read_to_string(&mut s)
            } else {
                std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut s))
            };
            r.map_err(|source| Error::ReadFile {
                path: path.clone(),
                source,
            })?;
            (s, format!("--payload-file {}", path.display()))
        }
        (None, None) => ("{}".into(), "--payload".into()),
    };
    let payload: Value = serde_json::from_str(&text)
        .map_err(|e| Error::flag(flag, format!("expected JSON: {e}")))?;
    Ok(json!({ "target": target, "payload": payload }))
}

/// `BASE/api/v1/notifications`.
pub fn endpoint(base: &str) -> Result<reqwest::Url> {
    api_url(base, "notifications")
}

/// `BASE/api/v1/PATH` for `--url BASE` (http or https; a path on BASE is kept as a prefix).
pub fn api_url(base: &str, path: &str) -> Result<reqwest::Url> {
    let mut url = reqwest::Url::parse(base).map_err(|e| {
        Error::flag(
            "--url",
            format!("{base:?}: expected http://HOST:PORT ({e})"),
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::flag(
            "--url",
            format!("{base:?}: expected an http:// or https:// URL"),
        ));
    }
    let path = format!("{}/api/v1/{path}", url.path().trim_end_matches('/'));
    url.set_path(&path);
    Ok(url)
}

/// The HTTP client (with `--timeout SECS`, checked) and a runtime to drive it from the CLI.
pub fn client(timeout: f64) -> Result<(reqwest::Client, tokio::runtime::Runtime)> {
    if !(timeout > 0.0 && timeout <= 600.0) {
        return Err(Error::flag(
            "--timeout",
            format!("expected seconds in (0, 600], got {timeout}"),
        ));
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs_f64(timeout))
        .build()
        .map_err(|e| Error::Internal(format!("http client: {e}")))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("tokio runtime: {e}")))?;
    Ok((client, rt))
}

/// Send one API request: on a 2xx its status, JSON (`Null` if it is not JSON) and text; otherwise
/// the documented error (unreachable → 4, a 4xx → 7, a 5xx → 8) with the node's `error`.
pub async fn answer(
    req: reqwest::RequestBuilder,
    url: &reqwest::Url,
) -> Result<(u16, Value, String)> {
    let res = req.send().await.map_err(|e| Error::Unreachable {
        service: "node",
        addr: url.to_string(),
        message: if e.is_timeout() {
            "timed out".into()
        } else {
            std::error::Error::source(&e).map_or(e.to_string(), |s| s.to_string())
        },
    })?;
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if (200..300).contains(&status) {
        return Ok((status, v, text));
    }
    let message = v
        .get("error")
        .and_then(Value::as_str)
        .map_or_else(|| text.trim().chars().take(200).collect(), str::to_string);
    let url = url.to_string();
    Err(if status < 500 {
        Error::Rejected {
            url,
            status,
            message,
        }
    } else {
        Error::ServerError {
            url,
            status,
            message,
        }
    })
}

/// One publish: the offset, or the documented error.
async fn send(
    client: &reqwest::Client,
    url: &reqwest::Url,
    key: Option<&str>,
    body: &Value,
) -> Result<String> {
    let mut req = client.post(url.clone()).json(body);
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    let (status, v, text) = answer(req, url).await?;
    v.get("id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| Error::ServerError {
            url: url.to_string(),
            status,
            message: format!("expected {{\"id\": OFFSET}}, got {text:?}"),
        })
}

pub fn run(args: &PublishArgs, format: OutputFormat, out: &mut dyn Write) -> Result<()> {
    let body = body(args)?;
    let url = endpoint(&args.api.url)?;
    if args.count == 0 {
        return Err(Error::flag("--count", "expected at least 1"));
    }
    if !(args.rate >= 0.0 && args.rate.is_finite()) {
        return Err(Error::flag(
            "--rate",
            format!("expected requests per second ≥ 0, got {}", args.rate),
        ));
    }
    let (client, rt) = client(args.api.timeout)?;
    let key = args.api.api_key.as_deref().filter(|k| !k.is_empty());
    let bar = (args.count > 1 && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::with_draw_target(
            Some(args.count),
            indicatif::ProgressDrawTarget::stderr(),
        );
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} published · {per_sec} · eta {eta}",
            )
            .expect("valid template"),
        );
        b
    });
    let started = Instant::now();
    let mut offsets: Vec<String> = Vec::new();
    let result = rt.block_on(async {
        for i in 0..args.count {
            if args.rate > 0.0 {
                let due = started + Duration::from_secs_f64(i as f64 / args.rate);
                tokio::time::sleep_until(due.into()).await;
            }
            let offset = send(&client, &url, key, &body).await?;
            if format == OutputFormat::Table {
                writeln!(out, "{offset}").map_err(Error::stdout)?;
            }
            offsets.push(offset);
            if let Some(b) = &bar {
                b.inc(1);
            }
        }
        Ok::<_, Error>(())
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if format == OutputFormat::Json {
        let secs = started.elapsed().as_secs_f64();
        let v = json!({
            "url": url.to_string(),
            "sent": offsets.len(),
            "offsets": offsets,
            "seconds": (secs * 1000.0).round() / 1000.0,
            "error": result.as_ref().err().map(|e| e.to_string()),
        });
        writeln!(out, "{v}").map_err(Error::stdout)?;
    }
    out.flush().map_err(Error::stdout)?;
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn args(extra: &[&str]) -> PublishArgs {
        let mut v = vec!["rtctl", "publish", "--url", "http://127.0.0.1:1"];
        v.extend_from_slice(extra);
        match crate::cli::Cli::try_parse_from(v).unwrap().command {
            crate::cli::Command::Publish(a) => a,
            _ => unreachable!(),
        }
    }

    #[test]
    fn bodies_for_each_target() {
        assert_eq!(
            body(&args(&["--department", "D1", "--payload", r#"{"a":1}"#])).unwrap(),
            json!({"target": {"department": "D1"}, "payload": {"a": 1}})
        );
        assert_eq!(
            body(&args(&["--device", "dev-1"])).unwrap(),
            json!({"target": {"device": "dev-1"}, "payload": {}})
        );
        assert_eq!(
            body(&args(&["--all"])).unwrap()["target"],
            json!({"all": true})
        );
        let e = body(&args(&["--all", "--payload", "{nope"])).unwrap_err();
        assert_eq!(e.exit_code(), crate::error::code::BAD_INPUT);
        assert!(e.to_string().starts_with("--payload: expected JSON"), "{e}");
        let e = body(&args(&["--all", "--payload-file", "/nonexistent/p.json"])).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/p.json"), "{e}");
    }

    #[test]
    fn one_target_is_required() {
        let v = [
            "rtctl", "publish", "--url", "http://x", "--all", "--device", "d",
        ];
        assert!(crate::cli::Cli::try_parse_from(v).is_err());
        assert!(
            crate::cli::Cli::try_parse_from(["rtctl", "publish", "--url", "http://x"]).is_err()
        );
    }

    #[test]
    fn endpoints() {
        assert_eq!(
            endpoint("http://127.0.0.1:3000").unwrap().as_str(),
            "http://127.0.0.1:3000/api/v1/notifications"
        );
        assert_eq!(
            endpoint("http://gw.local/rt/").unwrap().as_str(),
            "http://gw.local/rt/api/v1/notifications"
        );
        assert!(endpoint("127.0.0.1:3000").is_err());
        assert!(endpoint("ftp://x").is_err());
    }
}
