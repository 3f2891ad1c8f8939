//! Command-line options.

use crate::server::ServerKind;

/// Usage text.
pub const USAGE: &str = "usage: devian-ws-bench [--quick] [--out FILE.json] [--only throughput,mask,many]
       devian-ws-bench --serve ours|tungstenite 127.0.0.1:PORT   (a bench server; exits when stdin closes)
       devian-ws-bench --connections N --url ws://... --sweeps S   (one many-connections step; prints JSON)";

/// Parts of the bench that can be selected with `--only`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sections {
    /// Messages per second and round-trip times.
    pub throughput: bool,
    /// Unmask vs memcpy.
    pub mask: bool,
    /// Many connections.
    pub many: bool,
}

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Run the bench.
    Bench {
        /// Fewer and smaller runs.
        quick: bool,
        /// Where to write the JSON results.
        out: Option<String>,
        /// Which parts to run.
        sections: Sections,
    },
    /// Measure one many-connections step in this (fresh) process.
    Connections {
        /// Connections to open.
        count: usize,
        /// Echo server URL.
        url: String,
        /// Idle poll sweeps to time.
        sweeps: usize,
    },
    /// Be a server for the bench (child process).
    Serve {
        /// Implementation.
        kind: ServerKind,
        /// Listen address.
        addr: String,
    },
}

/// Parses the arguments after the program name.
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Command, String> {
    let mut quick = false;
    let mut out = None;
    let mut sections = Sections {
        throughput: true,
        mask: true,
        many: true,
    };
    let mut connections: Option<(usize, Option<String>, usize)> = None;
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--quick" => quick = true,
            "--out" => out = Some(value()?),
            "--only" => {
                let list = value()?;
                sections = Sections {
                    throughput: false,
                    mask: false,
                    many: false,
                };
                for name in list.split(',') {
                    match name.trim() {
                        "throughput" => sections.throughput = true,
                        "mask" => sections.mask = true,
                        "many" => sections.many = true,
                        other => return Err(format!("unknown section {other:?}\n{USAGE}")),
                    }
                }
            }
            "--serve" => {
                let kind = value()?.parse()?;
                let addr = value()?;
                return Ok(Command::Serve { kind, addr });
            }
            "--connections" => {
                let n = value()?;
                let n = n
                    .parse()
                    .map_err(|_| format!("--connections: {n:?} is not a count"))?;
                connections.get_or_insert((0, None, 100)).0 = n;
            }
            "--url" => connections.get_or_insert((0, None, 100)).1 = Some(value()?),
            "--sweeps" => {
                let n = value()?;
                let n = n
                    .parse()
                    .map_err(|_| format!("--sweeps: {n:?} is not a count"))?;
                connections.get_or_insert((0, None, 100)).2 = n;
            }
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unexpected argument {other:?}\n{USAGE}")),
        }
    }
    if let Some((count, url, sweeps)) = connections {
        let url = url.ok_or_else(|| format!("--connections needs --url\n{USAGE}"))?;
        if count == 0 || sweeps == 0 {
            return Err("--connections and --sweeps must be positive".into());
        }
        return Ok(Command::Connections { count, url, sweeps });
    }
    Ok(Command::Bench {
        quick,
        out,
        sections,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn bench_options() {
        let all = Sections {
            throughput: true,
            mask: true,
            many: true,
        };
        assert_eq!(
            parse(args("")),
            Ok(Command::Bench {
                quick: false,
                out: None,
                sections: all
            })
        );
        assert_eq!(
            parse(args("--quick --out r.json --only mask,many")),
            Ok(Command::Bench {
                quick: true,
                out: Some("r.json".into()),
                sections: Sections {
                    throughput: false,
                    ..all
                }
            })
        );
    }

    #[test]
    fn serve_and_errors() {
        assert_eq!(
            parse(args("--serve tungstenite 127.0.0.1:0")),
            Ok(Command::Serve {
                kind: ServerKind::Tungstenite,
                addr: "127.0.0.1:0".into()
            })
        );
        assert!(parse(args("--serve apache 127.0.0.1:0")).is_err());
        assert_eq!(
            parse(args(
                "--connections 10 --url ws://127.0.0.1:1/echo --sweeps 5"
            )),
            Ok(Command::Connections {
                count: 10,
                url: "ws://127.0.0.1:1/echo".into(),
                sweeps: 5
            })
        );
        assert!(parse(args("--connections 10")).is_err());
        assert!(parse(args("--connections 0 --url ws://x/")).is_err());
        assert!(parse(args("--connections ten --url ws://x/")).is_err());
        assert!(parse(args("--out")).is_err());
        assert!(parse(args("--only disk")).is_err());
        assert!(parse(args("--fast")).is_err());
    }
}
