//! An accept loop on 127.0.0.1 that serves each connection on its own
//! thread with the chosen implementation, and stops when dropped.

use super::{ours, peer, ServerKind};
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

/// A server accepting on a loopback port. Dropping it stops accepting;
/// connections already being served end when their clients leave.
pub struct RunningServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl RunningServer {
    /// Binds `addr` (port 0 picks a free one) and starts accepting.
    pub fn start(kind: ServerKind, addr: &str) -> io::Result<RunningServer> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let accept = std::thread::Builder::new()
            .name(format!("bench-accept-{kind}"))
            .spawn(move || accept_loop(kind, listener, &flag))?;
        Ok(RunningServer {
            addr,
            stop,
            accept: Some(accept),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // `accept` blocks; one connection wakes it so it can see the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

fn accept_loop(kind: ServerKind, listener: TcpListener, stop: &AtomicBool) {
    for conn in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let tcp = match conn {
            Ok(tcp) => tcp,
            Err(e) => {
                // Out of descriptors and the like: back off instead of spinning.
                eprintln!("bench server: accept: {e}");
                std::thread::sleep(std::time::Duration::from_millis(20));
                continue;
            }
        };
        let spawned = std::thread::Builder::new()
            // Small stacks: the many-connections run serves 1000 at once.
            .stack_size(512 << 10)
            .name("bench-conn".into())
            .spawn(move || {
                let served = match kind {
                    ServerKind::Ours => ours::serve_conn(tcp),
                    ServerKind::Tungstenite => peer::serve_conn(tcp),
                };
                if let Err(e) = served {
                    eprintln!("bench server ({kind}): {e}");
                }
            });
        if let Err(e) = spawned {
            eprintln!("bench server: spawn: {e}");
        }
    }
}
