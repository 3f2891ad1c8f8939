//! Benchmark servers in a child process (this same binary, `--serve`), so
//! the measured process holds only the clients: its RSS and thread count
//! are theirs, and server work does not share its allocator.

use crate::server::{RunningServer, ServerKind};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long a child may take to print its address.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// The `--serve` side: serves on `addr` until stdin reaches end of file,
/// which happens when the parent exits or drops its [`ChildServer`], so a
/// crashed bench never leaves a server behind.
pub fn serve_until_stdin_closes(kind: ServerKind, addr: &str) -> Result<(), String> {
    let server = RunningServer::start(kind, addr).map_err(|e| format!("bind {addr}: {e}"))?;
    let mut out = std::io::stdout();
    writeln!(out, "listening on {}", server.addr())
        .and_then(|()| out.flush())
        .map_err(|e| e.to_string())?;
    let mut sink = [0u8; 64];
    let mut stdin = std::io::stdin();
    while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
    drop(server);
    Ok(())
}

/// A server running in a child process.
pub struct ChildServer {
    child: Child,
    stdin: Option<ChildStdin>,
    addr: SocketAddr,
    kind: ServerKind,
}

impl ChildServer {
    /// Starts `kind` in a child process on a free loopback port, pinned to
    /// `cpu` if given (with `taskset`, from util-linux).
    pub fn start(kind: ServerKind, cpu: Option<usize>) -> Result<ChildServer, String> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut command = match cpu {
            Some(cpu) => {
                let mut c = Command::new("taskset");
                c.arg("-c").arg(cpu.to_string()).arg(exe);
                c
            }
            None => Command::new(exe),
        };
        let mut child = command
            .args(["--serve", kind.name(), "127.0.0.1:0"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("spawn {kind} server: {e}"))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let mut server = ChildServer {
            child,
            stdin,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            kind,
        };
        let stdout = stdout.ok_or("child has no stdout")?;
        server.addr = wait_for_address(stdout)?;
        Ok(server)
    }

    /// `ws://ADDR/path`.
    pub fn url(&self, path: &str) -> String {
        format!("ws://{}{}", self.addr, path)
    }

    /// Which implementation this is.
    pub fn kind(&self) -> ServerKind {
        self.kind
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        // Closing stdin asks the child to exit; kill covers a stuck one.
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads the child's `listening on ADDR` line on a helper thread, bounded in time.
fn wait_for_address(stdout: impl Read + Send + 'static) -> Result<SocketAddr, String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(read.map(|_| line));
    });
    let line = rx
        .recv_timeout(START_TIMEOUT)
        .map_err(|_| "server did not start in time".to_string())?
        .map_err(|e| e.to_string())?;
    parse_listening_line(&line).ok_or_else(|| format!("unexpected server output {line:?}"))
}

/// The address in a `listening on ADDR` line.
fn parse_listening_line(line: &str) -> Option<SocketAddr> {
    line.trim().strip_prefix("listening on ")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listening_line() {
        assert_eq!(
            parse_listening_line("listening on 127.0.0.1:4000\n"),
            Some(SocketAddr::from(([127, 0, 0, 1], 4000)))
        );
        assert_eq!(parse_listening_line("listening on nowhere"), None);
        assert_eq!(parse_listening_line("hello"), None);
    }
}
