//! A minimal in-memory transport for these tests: two queues and an open flag shared by both
//! ends (the crate's own `transport::memory` is tested on its own).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use layerw_net::transport::{Connection, Delivery, Listener, TransportError};

#[derive(Default)]
struct Pipe {
    to_server: VecDeque<Vec<u8>>,
    to_client: VecDeque<Vec<u8>>,
    open: bool,
}

struct End {
    pipe: Arc<Mutex<Pipe>>,
    server_side: bool,
}

impl Connection for End {
    fn send(&mut self, message: &[u8], _: Delivery) -> Result<(), TransportError> {
        let mut pipe = self.pipe.lock().unwrap();
        if !pipe.open {
            return Err(TransportError::Closed {
                reason: "closed".into(),
            });
        }
        let queue = if self.server_side {
            &mut pipe.to_client
        } else {
            &mut pipe.to_server
        };
        queue.push_back(message.to_vec());
        Ok(())
    }
    fn receive(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
        let mut pipe = self.pipe.lock().unwrap();
        // What was sent before a close is still delivered.
        let queue = if self.server_side {
            &mut pipe.to_server
        } else {
            &mut pipe.to_client
        };
        Ok(queue.pop_front())
    }
    fn flush(&mut self) -> Result<(), TransportError> {
        Ok(())
    }
    fn close(&mut self, _: &str) {
        self.pipe.lock().unwrap().open = false;
    }
    fn is_open(&self) -> bool {
        self.pipe.lock().unwrap().open
    }
    fn peer(&self) -> &str {
        "memory"
    }
}

#[derive(Clone, Default)]
pub struct MemoryListener(Arc<Mutex<VecDeque<Box<dyn Connection>>>>);

impl Listener for MemoryListener {
    fn accept(&mut self) -> Result<Option<Box<dyn Connection>>, TransportError> {
        Ok(self.0.lock().unwrap().pop_front())
    }
}

impl MemoryListener {
    /// A new connection: the server end waits in the listener, the client end is returned.
    pub fn connect(&self) -> Box<dyn Connection> {
        let pipe = Arc::new(Mutex::new(Pipe {
            open: true,
            ..Pipe::default()
        }));
        let server = End {
            pipe: pipe.clone(),
            server_side: true,
        };
        self.0.lock().unwrap().push_back(Box::new(server));
        Box::new(End {
            pipe,
            server_side: false,
        })
    }
}
