//! The language server driven as an editor drives it: `exim-expand lsp`
//! over stdio, a scripted exchange of initialize, didOpen,
//! publishDiagnostics, hover, completion, definition, didChange, didClose,
//! shutdown and exit.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

mod common;

/// The client end of a server process.
struct Client {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: i64,
    /// Notifications that arrived while waiting for a response.
    notifications: Vec<Value>,
    /// Set when the test is over with the server (stops the watchdog).
    done: Arc<AtomicBool>,
}

impl Drop for Client {
    fn drop(&mut self) {
        self.done.store(true, Ordering::SeqCst);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Client {
    fn start(args: &[&str]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_exim-expand"))
            .arg("lsp")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("exim-expand lsp starts");
        // A server that stops answering must fail the test, not hang it:
        // after a minute it is killed, and reading its output ends.
        let pid = child.id().to_string();
        let done = Arc::new(AtomicBool::new(false));
        let finished = done.clone();
        std::thread::spawn(move || {
            for _ in 0..600 {
                if finished.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = Command::new("kill").args(["-9", &pid]).status();
        });
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Client {
            child,
            stdin,
            stdout,
            next_id: 1,
            notifications: Vec::new(),
            done,
        }
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn receive(&mut self) -> Value {
        let mut length = None;
        loop {
            let mut header = String::new();
            assert!(
                self.stdout.read_line(&mut header).unwrap() > 0,
                "server closed its output"
            );
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some(n) = header.strip_prefix("Content-Length: ") {
                length = Some(n.parse::<usize>().unwrap());
            }
        }
        let mut body = vec![0; length.expect("a Content-Length header")];
        self.stdout.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its result (notifications that come
    /// first are kept).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self.receive();
            if m.get("id") == Some(&json!(id)) {
                assert!(m.get("error").is_none(), "{method}: {m}");
                return m["result"].clone();
            }
            self.notifications.push(m);
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics_for(&mut self, uri: &str) -> Vec<Value> {
        loop {
            let m = match self
                .notifications
                .iter()
                .position(|n| is_diagnostics_for(n, uri))
            {
                Some(i) => self.notifications.remove(i),
                None => self.receive(),
            };
            if is_diagnostics_for(&m, uri) {
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
            self.notifications.push(m);
        }
    }

    fn position(&mut self, method: &str, uri: &str, line: u32, character: u32) -> Value {
        self.request(
            method,
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        )
    }
}

fn is_diagnostics_for(m: &Value, uri: &str) -> bool {
    m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
}

/// The code, line and first column of each diagnostic.
fn summary(diags: &[Value]) -> Vec<(String, u64, u64)> {
    diags
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["range"]["start"]["character"].as_u64().unwrap(),
            )
        })
        .collect()
}

const MAIN: &str = "\
DOM = example.org
domainlist local_domains = @ : DOM
qualify_domain = ${lcase:DOM}
acl_smtp_rcpt = acl_check_rcpt
.include INC
begin acl
acl_check_rcpt:
  accept domains = +local_domains
         condition = ${if eq{$sender_adress}{}}
begin routers
aliases:
  driver = redirect
  data = ${lookup{$local_part}lsearch{/etc/aliases}}
";

#[test]
fn an_editor_session() {
    let dir = common::temp_dir("lsp-session");
    let inc = dir.join("inc.conf");
    std::fs::write(&inc, "smtp_banner = ${lc:$nosuch}\n").unwrap();
    let main_path = dir.join("main.conf");
    let text = MAIN.replace("INC", &inc.to_string_lossy());
    std::fs::write(&main_path, &text).unwrap();
    let uri = format!("file://{}", main_path.display());
    let inc_uri = format!("file://{}", inc.display());

    let mut c = Client::start(&[]);
    let init = c.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {},
               "initializationOptions": {"profile": "debian-4.96"}}),
    );
    let caps = &init["capabilities"];
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(caps["definitionProvider"], true);
    assert!(
        caps["completionProvider"]["triggerCharacters"]
            .as_array()
            .unwrap()
            .contains(&json!("$"))
    );
    c.notify("initialized", json!({}));

    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "exim", "version": 1, "text": text}}),
    );
    // Each typo at its own line and column: `lcase` (line 3, after `${`),
    // `$sender_adress` (line 9); the included file's own finding goes to it.
    let diags = c.diagnostics_for(&uri);
    assert_eq!(
        summary(&diags),
        [("E003".to_string(), 2, 17), ("E002".to_string(), 8, 29)],
        "{diags:?}"
    );
    assert_eq!(diags[0]["severity"], 1);
    assert_eq!(diags[0]["source"], "exim-expand");
    assert!(
        diags[1]["message"]
            .as_str()
            .unwrap()
            .contains("sender_adress")
    );
    let inc_diags = c.diagnostics_for(&inc_uri);
    assert_eq!(summary(&inc_diags), [("E002".to_string(), 0, 19)]);

    // Hover: an option, an operator, a variable, a macro.
    let h = c.position("textDocument/hover", &uri, 2, 3);
    let value = h["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains("main option `qualify_domain`") && value.contains("since Exim"),
        "{value}"
    );
    let h = c.position("textDocument/hover", &uri, 8, 35);
    assert!(h.is_null(), "an unknown variable has no text: {h}");
    let h = c.position("textDocument/hover", &uri, 1, 33);
    let value = h["contents"]["value"].as_str().unwrap();
    assert!(value.contains("DOM = example.org"), "{value}");
    // An ACL statement's verb and condition.
    let h = c.position("textDocument/hover", &uri, 7, 4);
    let value = h["contents"]["value"].as_str().unwrap();
    assert!(value.contains("ACL verb `accept`"), "{value}");
    let h = c.position("textDocument/hover", &uri, 7, 11);
    let value = h["contents"]["value"].as_str().unwrap();
    assert!(value.contains("ACL condition `domains`"), "{value}");
    // A router's option: the driver's own, then a generic one.
    let h = c.position("textDocument/hover", &uri, 12, 3);
    let value = h["contents"]["value"].as_str().unwrap();
    assert!(value.contains("redirect router option `data`"), "{value}");
    let h = c.position("textDocument/hover", &uri, 11, 3);
    let value = h["contents"]["value"].as_str().unwrap();
    assert!(value.contains("generic router option `driver`"), "{value}");

    // Completion: variables after `$`, named lists after `+`.
    let typed = "  accept condition = $primary_h\n  accept domains = +loc";
    let changed = text.replace("  accept domains = +local_domains", typed);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": changed}]}),
    );
    let _ = c.diagnostics_for(&uri);
    let items = c.position("textDocument/completion", &uri, 7, 32);
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["primary_hostname"]);
    assert!(
        items[0]["documentation"]["value"]
            .as_str()
            .unwrap()
            .contains("variable")
    );
    let items = c.position("textDocument/completion", &uri, 8, 23);
    assert_eq!(items[0]["label"], "local_domains");

    // Definition: the macro, the named list, the ACL.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": text}]}),
    );
    let _ = c.diagnostics_for(&uri);
    let at = |v: &Value| {
        (
            v["uri"].as_str().unwrap().to_string(),
            v["range"]["start"]["line"].as_u64().unwrap(),
        )
    };
    assert_eq!(
        at(&c.position("textDocument/definition", &uri, 2, 26)),
        (uri.clone(), 0)
    );
    assert_eq!(
        at(&c.position("textDocument/definition", &uri, 7, 22)),
        (uri.clone(), 1)
    );
    assert_eq!(
        at(&c.position("textDocument/definition", &uri, 3, 20)),
        (uri.clone(), 6)
    );

    // Fixing the typos clears the diagnostics.
    let fixed = text
        .replace("lcase", "lc")
        .replace("sender_adress", "sender_address");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 4}, "contentChanges": [{"text": fixed}]}),
    );
    assert_eq!(c.diagnostics_for(&uri), Vec::<Value>::new());

    // A file of expansions, checked line by line; closing it clears it.
    let exim_uri = format!("file://{}", dir.join("t.exim").display());
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": exim_uri, "languageId": "exim", "version": 1,
               "text": "${lc:$nosuch}\nfine\n${md5x:a}\n"}}),
    );
    let d = c.diagnostics_for(&exim_uri);
    assert_eq!(
        summary(&d),
        [("E002".to_string(), 0, 5), ("E003".to_string(), 2, 0)]
    );
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": exim_uri}}),
    );
    assert_eq!(c.diagnostics_for(&exim_uri), Vec::<Value>::new());

    // An unknown method is an error, not a crash.
    c.send(json!({"jsonrpc": "2.0", "id": 99, "method": "textDocument/nosuch", "params": {}}));
    let e = loop {
        let m = c.receive();
        if m.get("id") == Some(&json!(99)) {
            break m;
        }
    };
    assert_eq!(e["error"]["code"], -32601);

    assert_eq!(c.request("shutdown", Value::Null), Value::Null);
    c.notify("exit", Value::Null);
    let status = wait(&mut c.child);
    assert!(status.success(), "{status:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_profile_is_reported_to_the_user() {
    let mut c = Client::start(&[]);
    c.request(
        "initialize",
        json!({"processId": null, "capabilities": {}, "initializationOptions": {"profile": "nosuch"}}),
    );
    c.notify("initialized", json!({}));
    let m = c.receive();
    assert_eq!(m["method"], "window/showMessage", "{m}");
    assert!(
        m["params"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown profile \"nosuch\"")
    );
    c.request("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    assert!(wait(&mut c.child).success());
}

fn wait(child: &mut Child) -> std::process::ExitStatus {
    for _ in 0..500 {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    panic!("the server did not exit");
}
