//! Command-line options.

use crate::server::ServerKind;

/// Usage text.
pub const USAGE: &str = "usage: devian-ws-bench [--quick] [--out FILE.json] [--only throughput,mask,many]
       devian-ws-bench --serve ours|tungstenite 127.0.0.1:PORT   (a bench server; exits when stdin closes)";

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
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unexpected argument {other:?}\n{USAGE}")),
        }
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
        assert!(parse(args("--out")).is_err());
        assert!(parse(args("--only disk")).is_err());
        assert!(parse(args("--fast")).is_err());
    }
}
