//! nginx for the streaming tests (`#[path]`): a server on 127.0.0.1 with its own config file
//! (`daemon off`, one process), serving a folder with `Range` support and the CORS headers a
//! page on another origin needs to read ranges, optionally throttled (`limit_rate`). Stopped
//! when dropped, also when a test panics.
//!
//! Without nginx a test is skipped, unless `LAYERW_REQUIRE_NGINX` is set (scripts/test.sh sets
//! it; scripts/setup.sh installs nginx), which makes that a failure.

#![allow(dead_code, reason = "each test uses what it needs")]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How an [`Nginx`] serves.
#[derive(Clone, Debug, Default)]
pub struct NginxOptions {
    /// Bytes per second per connection (`limit_rate`); `None` for as fast as it goes.
    pub limit_rate: Option<u64>,
}

/// A running nginx; killed and its scratch folder removed on drop.
pub struct Nginx {
    child: Child,
    port: u16,
    scratch: PathBuf,
}

impl Nginx {
    /// Starts nginx serving `root`, or `None` (said on stderr) when nginx is not installed and
    /// `LAYERW_REQUIRE_NGINX` is not set.
    ///
    /// # Panics
    /// When nginx is missing and required, or installed but does not start.
    pub fn start_or_skip(root: &Path, options: &NginxOptions) -> Option<Nginx> {
        let Some(binary) = find_nginx() else {
            if std::env::var_os("LAYERW_REQUIRE_NGINX").is_some() {
                panic!("LAYERW_REQUIRE_NGINX is set but nginx is not installed (scripts/setup.sh)");
            }
            eprintln!("skipped: nginx is not installed (scripts/setup.sh installs it)");
            return None;
        };
        // A port can be taken between choosing and binding it: try a few.
        let mut last_error = String::new();
        for _ in 0..5 {
            match Nginx::start(&binary, root, options) {
                Ok(nginx) => return Some(nginx),
                Err(e) => last_error = e,
            }
        }
        panic!("nginx did not start: {last_error}");
    }

    fn start(binary: &Path, root: &Path, options: &NginxOptions) -> Result<Nginx, String> {
        let port = free_port().map_err(|e| format!("no free port: {e}"))?;
        let scratch =
            std::env::temp_dir().join(format!("layerw-nginx-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
        let root = root
            .canonicalize()
            .map_err(|e| format!("{}: {e}", root.display()))?;
        let config = scratch.join("nginx.conf");
        std::fs::write(&config, config_text(&scratch, &root, port, options))
            .map_err(|e| e.to_string())?;
        let child = Command::new(binary)
            .arg("-p")
            .arg(&scratch)
            .arg("-c")
            .arg(&config)
            .arg("-e")
            .arg(scratch.join("error.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{}: {e}", binary.display()))?;
        let mut nginx = Nginx {
            child,
            port,
            scratch,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(nginx);
            }
            if let Ok(Some(status)) = nginx.child.try_wait() {
                return Err(format!("nginx exited ({status}): {}", nginx.error_log()));
            }
            if Instant::now() > deadline {
                return Err(format!("nginx did not listen: {}", nginx.error_log()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `http://127.0.0.1:PORT`: the served folder is its root.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The requests nginx finished, one line each: `status bytes_sent "range" uri` (nginx logs
    /// a request when it ends, also one the client abandoned).
    pub fn access_log(&self) -> Vec<String> {
        std::fs::read_to_string(self.scratch.join("access.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Requests being answered now, from `stub_status` (the status request itself not counted).
    pub fn writing(&self) -> u32 {
        use std::io::{Read, Write};
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return 0;
        };
        let _ = stream.write_all(b"GET /_status HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
        let mut text = String::new();
        let _ = stream.read_to_string(&mut text);
        // "Reading: 0 Writing: 2 Waiting: 0"
        text.split_whitespace()
            .skip_while(|w| *w != "Writing:")
            .nth(1)
            .and_then(|n| n.parse::<u32>().ok())
            .map_or(0, |n| n.saturating_sub(1))
    }

    fn error_log(&self) -> String {
        std::fs::read_to_string(self.scratch.join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // One process (`master_process off`): killing it leaves no worker behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}

fn config_text(scratch: &Path, root: &Path, port: u16, options: &NginxOptions) -> String {
    let s = scratch.display();
    let limit = options
        .limit_rate
        .map(|rate| format!("limit_rate {rate};"))
        .unwrap_or_default();
    format!(
        r#"daemon off;
master_process off;
worker_processes 1;
pid {s}/nginx.pid;
error_log {s}/error.log warn;
events {{ worker_connections 256; }}
http {{
    default_type application/octet-stream;
    log_format layerw '$status $bytes_sent "$http_range" $request_uri';
    access_log {s}/access.log layerw;
    client_body_temp_path {s}/client_body;
    proxy_temp_path {s}/proxy;
    fastcgi_temp_path {s}/fastcgi;
    uwsgi_temp_path {s}/uwsgi;
    scgi_temp_path {s}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location = /_status {{
            stub_status;
            access_log off;
        }}
        location / {{
            {limit}
            add_header Access-Control-Allow-Origin * always;
            add_header Access-Control-Allow-Headers Range always;
            add_header Access-Control-Expose-Headers "Content-Range, Content-Length" always;
            if ($request_method = OPTIONS) {{
                return 204;
            }}
        }}
    }}
}}
"#,
        root = root.display()
    )
}

fn find_nginx() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/sbin")])
        .map(|dir| dir.join("nginx"))
        .find(|candidate| candidate.is_file())
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}
