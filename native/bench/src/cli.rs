//! Command-line options.

use crate::client::ClientKind;
use crate::server::ServerKind;
use crate::throughput::Scenario;

/// Usage text.
pub const USAGE: &str = "usage: devian-ws-bench [--quick] [--out FILE.json] [--only throughput,mask,many]
         [--server ours|tungstenite] [--scenario echo|stream-up|stream-down] [--payload BYTES]
         [--client engine|devian-websocket|tungstenite]   (throughput cells to run; all by default)
       devian-ws-bench --serve ours|tungstenite 127.0.0.1:PORT   (a bench server; exits when stdin closes)
       devian-ws-bench --connections N --url ws://... --sweeps S   (one many-connections step; prints JSON)
       devian-ws-bench --engine-echo ws://... --payload BYTES --count N --runs R
         (the engine's round trips and pipelined echoes, for the C# bench; prints JSON)";

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

/// Which throughput cells run (`None`: all). For profiling one cell, e.g.
/// `perf record devian-ws-bench --only throughput --scenario stream-down
/// --payload 1048576 --client engine`: the server runs in a child process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CellFilter {
    /// Only this server.
    pub server: Option<ServerKind>,
    /// Only this scenario.
    pub scenario: Option<Scenario>,
    /// Only this payload size.
    pub payload: Option<usize>,
    /// Only this client.
    pub client: Option<ClientKind>,
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
        /// Which throughput cells to run.
        cells: CellFilter,
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
    /// The engine's figures for one cell of the C# bench.
    EngineEcho {
        /// Echo server URL.
        url: String,
        /// Bytes per message.
        payload: usize,
        /// Messages per run.
        count: u64,
        /// Runs (medians are printed).
        runs: usize,
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
    let mut cells = CellFilter::default();
    let mut connections: Option<(usize, Option<String>, usize)> = None;
    let mut engine_echo: Option<String> = None;
    let (mut count, mut runs): (Option<u64>, Option<usize>) = (None, None);
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
            "--server" => cells.server = Some(value()?.parse()?),
            "--scenario" => cells.scenario = Some(value()?.parse()?),
            "--client" => cells.client = Some(value()?.parse()?),
            "--payload" => {
                let n = value()?;
                let n = n
                    .parse()
                    .map_err(|_| format!("--payload: {n:?} is not a byte count"))?;
                cells.payload = Some(n);
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
            "--engine-echo" => engine_echo = Some(value()?),
            "--count" => {
                let n = value()?;
                count = Some(
                    n.parse()
                        .map_err(|_| format!("--count: {n:?} is not a count"))?,
                );
            }
            "--runs" => {
                let n = value()?;
                runs = Some(
                    n.parse()
                        .map_err(|_| format!("--runs: {n:?} is not a count"))?,
                );
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
    if let Some(url) = engine_echo {
        let payload = cells
            .payload
            .ok_or_else(|| format!("--engine-echo needs --payload\n{USAGE}"))?;
        let (count, runs) = (count.unwrap_or(1000), runs.unwrap_or(5));
        if count == 0 || runs == 0 {
            return Err("--count and --runs must be positive".into());
        }
        return Ok(Command::EngineEcho {
            url,
            payload,
            count,
            runs,
        });
    }
    if count.is_some() || runs.is_some() {
        return Err(format!("--count and --runs go with --engine-echo\n{USAGE}"));
    }
    Ok(Command::Bench {
        quick,
        out,
        sections,
        cells,
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
                sections: all,
                cells: CellFilter::default(),
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
                },
                cells: CellFilter::default(),
            })
        );
        assert_eq!(
            parse(args(
                "--only throughput --server ours --scenario stream-down --payload 1048576 --client engine"
            )),
            Ok(Command::Bench {
                quick: false,
                out: None,
                sections: Sections {
                    mask: false,
                    many: false,
                    ..all
                },
                cells: CellFilter {
                    server: Some(ServerKind::Ours),
                    scenario: Some(Scenario::Download),
                    payload: Some(1 << 20),
                    client: Some(ClientKind::Engine),
                },
            })
        );
        assert!(parse(args("--scenario upload")).is_err());
        assert!(parse(args("--client curl")).is_err());
        assert!(parse(args("--payload 1k")).is_err());
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

    #[test]
    fn engine_echo_options() {
        assert_eq!(
            parse(args(
                "--engine-echo ws://127.0.0.1:1/echo --payload 16 --count 500 --runs 3"
            )),
            Ok(Command::EngineEcho {
                url: "ws://127.0.0.1:1/echo".into(),
                payload: 16,
                count: 500,
                runs: 3
            })
        );
        assert!(
            parse(args("--engine-echo ws://x/")).is_err(),
            "needs --payload"
        );
        assert!(parse(args("--engine-echo ws://x/ --payload 16 --runs 0")).is_err());
        assert!(parse(args("--count 5")).is_err(), "only with --engine-echo");
    }
}
