//! scripts/fault_server.py for the streaming tests (`#[path]`): a Python file server on
//! 127.0.0.1 that misbehaves as the URL asks (`/f/FAULTS/NAME`; the faults are listed in the
//! script). Killed when dropped; it also exits by itself after a bounded time.
//!
//! Without python3 a test is skipped, unless `LAYERW_REQUIRE_NGINX` is set (the streaming
//! servers are required together), which makes that a failure.

#![allow(dead_code, reason = "each test uses what it needs")]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A running fault server.
pub struct FaultServer {
    child: Child,
    port: u16,
    root: PathBuf,
}

impl FaultServer {
    /// Starts the server on `root` on a port the system picks, or `None` (said on stderr) when
    /// python3 is missing and not required.
    ///
    /// # Panics
    /// When python3 is missing and required, or the server does not start.
    pub fn start_or_skip(root: &Path) -> Option<FaultServer> {
        if Command::new("python3").arg("--version").output().is_err() {
            if std::env::var_os("LAYERW_REQUIRE_NGINX").is_some() {
                panic!("LAYERW_REQUIRE_NGINX is set but python3 is missing");
            }
            eprintln!("skipped: python3 is missing");
            return None;
        }
        Some(FaultServer::start(root, 0, &[]).unwrap_or_else(|e| panic!("{e}")))
    }

    /// Starts the server on `root` and `port` (0: any), ignoring the faults named in `ignore`.
    pub fn start(root: &Path, port: u16, ignore: &[&str]) -> Result<FaultServer, String> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/fault_server.py");
        let mut command = Command::new("python3");
        command
            .arg(&script)
            .arg("--root")
            .arg(root)
            .arg("--port")
            .arg(port.to_string())
            .arg("--max-seconds")
            .arg("300");
        for fault in ignore {
            command.arg("--ignore").arg(fault);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("python3 {}: {e}", script.display()))?;
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            let _ = BufReader::new(stdout).read_line(&mut line);
        }
        let Some(port) = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|p| p.parse().ok())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("the fault server did not start: {line:?}"));
        };
        Ok(FaultServer {
            child,
            port,
            root: root.to_path_buf(),
        })
    }

    /// `http://127.0.0.1:PORT/f/FAULTS`: a base URL whose files are served with `faults`
    /// (comma-separated, e.g. `stall=30` or `slow=0.2,norange`).
    pub fn url_with(&self, faults: &str) -> String {
        format!("http://127.0.0.1:{}/f/{faults}", self.port)
    }

    /// `http://127.0.0.1:PORT`: files served as they are.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Switches `faults` on for every file it serves from now on, whatever the URL (`""`
    /// switches them off): faults that start and end while a client streams.
    pub fn set_faults(&self, faults: &str) -> Result<(), String> {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port))
            .map_err(|e| format!("the fault server: {e}"))?;
        let request = format!(
            "GET /_faults?set={faults} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        );
        stream
            .write_all(request.as_bytes())
            .map_err(|e| format!("the fault server: {e}"))?;
        let mut answer = String::new();
        stream
            .read_to_string(&mut answer)
            .map_err(|e| format!("the fault server: {e}"))?;
        if answer.starts_with("HTTP/1.1 200")
            && answer.contains(&format!("\"faults\": \"{faults}\""))
        {
            Ok(())
        } else {
            Err(format!(
                "the fault server did not set {faults:?}: {answer:?}"
            ))
        }
    }

    /// Waits for the process to end (after a `kill` fault it ends by itself).
    pub fn wait_exit(&mut self) {
        let _ = self.child.wait();
    }

    /// Whether the process ended within `wait` (after a `kill` fault it ends by itself).
    pub fn exited_within(&mut self, wait: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + wait;
        loop {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return true;
            }
            if std::time::Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    /// Starts it again on the same port and folder, ignoring `ignore` faults.
    pub fn restart(&mut self, ignore: &[&str]) -> Result<(), String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let next = FaultServer::start(&self.root, self.port, ignore)?;
        // The old process, already ended, is dropped here.
        *self = next;
        Ok(())
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
