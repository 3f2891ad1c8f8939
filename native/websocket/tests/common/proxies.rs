//! Real proxy servers from Debian's packages, started on loopback for one
//! test and killed when dropped: `tinyproxy` (HTTP CONNECT, optional Basic
//! auth, optional port allow-list), `microsocks` (SOCKS5, optional
//! username/password) and `stunnel4` (TLS in front of another proxy: an
//! `https://` proxy). The test command installs them (scripts/test-stages/rust).

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running proxy process.
pub struct ProxyServer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    child: Child,
    dir: PathBuf,
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

impl ProxyServer {
    /// tinyproxy on `port` (0: any free one), with Basic auth if `auth`,
    /// allowing CONNECT only to `connect_ports` if any are given.
    pub fn tinyproxy(port: u16, auth: Option<(&str, &str)>, connect_ports: &[u16]) -> ProxyServer {
        let port = if port == 0 { free_port() } else { port };
        let dir = scratch_dir("tinyproxy");
        let mut conf = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 60\nMaxClients 200\nAllow 127.0.0.1\nLogLevel Error\nPidFile \"{}/pid\"\n",
            dir.display()
        );
        if let Some((user, pass)) = auth {
            conf.push_str(&format!("BasicAuth {user} {pass}\n"));
        }
        for p in connect_ports {
            conf.push_str(&format!("ConnectPort {p}\n"));
        }
        let conf_path = dir.join("tinyproxy.conf");
        std::fs::write(&conf_path, conf).expect("write tinyproxy.conf");
        let mut cmd = Command::new("tinyproxy");
        cmd.arg("-d").arg("-c").arg(&conf_path);
        ProxyServer::start(cmd, port, dir)
    }

    /// microsocks on `port` (0: any free one), requiring `auth` if given.
    pub fn microsocks(port: u16, auth: Option<(&str, &str)>) -> ProxyServer {
        let port = if port == 0 { free_port() } else { port };
        let mut cmd = Command::new("microsocks");
        cmd.args(["-i", "127.0.0.1", "-p", &port.to_string()]);
        if let Some((user, pass)) = auth {
            cmd.args(["-u", user, "-P", pass]);
        }
        ProxyServer::start(cmd, port, scratch_dir("microsocks"))
    }

    /// stunnel4 terminating TLS (certificate chain and key in PEM) on a free
    /// port and passing the plaintext to `backend`: with tinyproxy behind
    /// it, an `https://` proxy.
    pub fn tls_front(backend: &ProxyServer, chain_pem: &str, key_pem: &str) -> ProxyServer {
        let port = free_port();
        let dir = scratch_dir("stunnel");
        std::fs::write(dir.join("chain.pem"), chain_pem).expect("write chain.pem");
        std::fs::write(dir.join("key.pem"), key_pem).expect("write key.pem");
        let conf = format!(
            "foreground = yes\npid =\ndebug = 3\n[proxy]\naccept = 127.0.0.1:{port}\nconnect = 127.0.0.1:{}\ncert = {}/chain.pem\nkey = {}/key.pem\n",
            backend.port,
            dir.display(),
            dir.display()
        );
        let conf_path = dir.join("stunnel.conf");
        std::fs::write(&conf_path, conf).expect("write stunnel.conf");
        let mut cmd = Command::new("stunnel4");
        cmd.arg(&conf_path);
        ProxyServer::start(cmd, port, dir)
    }

    fn start(mut cmd: Command, port: u16, dir: PathBuf) -> ProxyServer {
        let name = cmd.get_program().to_string_lossy().into_owned();
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("{name}: {e} (the test command installs it: apt-get install {name})")
            });
        let mut server = ProxyServer { port, child, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("{name} exited at start: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "{name} is not listening on {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    /// `scheme://[user:pass@]127.0.0.1:port`.
    pub fn url(&self, scheme: &str, auth: Option<(&str, &str)>) -> String {
        match auth {
            Some((user, pass)) => format!("{scheme}://{user}:{pass}@127.0.0.1:{}", self.port),
            None => format!("{scheme}://127.0.0.1:{}", self.port),
        }
    }
}

impl Drop for ProxyServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "devian-{name}-{}-{}",
        std::process::id(),
        free_port()
    ));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}
