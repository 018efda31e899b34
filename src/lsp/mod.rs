//! `exim-expand lsp`: a language server for Exim configuration files and
//! `.exim` files of expansion strings, over stdio.
//!
//! - diagnostics from lint while typing (from the editor's text; included
//!   files are read from disk, their findings published to them);
//! - hover text for items, operators, conditions, lookup types, variables
//!   and main options ([`crate::docs`]), and for the configuration's own
//!   macros, named lists and ACLs;
//! - completion of those names;
//! - go to definition for macros, named lists, ACLs and `.include`s.
//!
//! Settings come from the command line and, overriding it, from the
//! client's `initializationOptions`: `{"profile": "exim-4.96-full",
//! "defines": ["NAME=VALUE"], "allBranches": true, "target": "4.93", "select": ["E"],
//! "ignore": ["W002"]}`.

mod completion;
mod definition;
mod diagnostics;
mod document;
mod hover;
mod uri;
mod words;

use std::collections::{BTreeSet, HashMap};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{Completion, GotoDefinition, HoverRequest, Request as _};
use lsp_types::{
    CompletionOptions, CompletionParams, CompletionResponse, GotoDefinitionParams,
    GotoDefinitionResponse, HoverParams, HoverProviderCapability, InitializeParams, OneOf,
    PublishDiagnosticsParams, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
    Uri,
};

use crate::config::Config;
use crate::eval::{Context, Profile};
use crate::lint::codes::Selection;
use document::Document;

/// What the server checks with.
pub struct Settings {
    /// The profile deciding which builtins exist.
    pub context: Context,
    /// `-D` macros.
    pub defines: Vec<(String, String)>,
    /// What lint looks at: the `.ifdef` branches the macros leave out
    /// (on unless `--active-branches-only`), a target release for W009.
    pub lint: crate::lint::LintOptions,
    /// Which rules are reported.
    pub selection: Selection,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            context: Context::new(),
            defines: Vec::new(),
            lint: crate::lint::LintOptions {
                all_branches: true,
                target: None,
            },
            selection: Selection::default(),
        }
    }
}

impl Settings {
    /// Applies the client's `initializationOptions`; an unknown profile or
    /// rule is an error message for the client.
    pub fn apply(&mut self, opts: &serde_json::Value) -> Result<(), String> {
        if let Some(p) = opts.get("profile").and_then(|v| v.as_str()) {
            let profile = Profile::by_name(p).ok_or_else(|| format!("unknown profile \"{p}\""))?;
            self.context.set_profile(profile);
        }
        if let Some(d) = opts.get("defines").and_then(|v| v.as_array()) {
            self.defines = d
                .iter()
                .filter_map(|v| v.as_str())
                .map(|s| match s.split_once('=') {
                    Some((n, v)) => (n.to_string(), v.to_string()),
                    None => (s.to_string(), String::new()),
                })
                .collect();
        }
        if let Some(b) = opts.get("allBranches").and_then(|v| v.as_bool()) {
            self.lint.all_branches = b;
        }
        if let Some(t) = opts.get("target").and_then(|v| v.as_str()) {
            self.lint.target = Some(crate::lint::target::Release::parse(t)?);
        }
        let codes = |key: &str| -> Vec<String> {
            opts.get(key)
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        if opts.get("select").is_some() || opts.get("ignore").is_some() {
            self.selection = Selection::new(codes("select"), codes("ignore"))?;
        }
        Ok(())
    }
}

/// An open document and what was read from it.
struct Open {
    doc: Document,
    /// The configuration as read past its errors (none for `.exim`
    /// files, or when even that failed).
    config: Option<Config>,
    /// The files this document's last diagnostics went to.
    published: BTreeSet<String>,
}

/// The server's state between messages.
struct Server {
    settings: Settings,
    open: HashMap<String, Open>,
}

/// What the server offers.
fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(["$", "{", "+"].map(String::from).to_vec()),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

/// Serves over standard input and output until the client says `exit`.
pub fn serve_stdio(settings: Settings) -> Result<(), String> {
    let (connection, threads) = Connection::stdio();
    serve(&connection, settings)?;
    drop(connection);
    threads.join().map_err(|e| e.to_string())
}

/// Serves one connection: the initialize handshake, then messages until
/// `shutdown` and `exit`.
pub fn serve(connection: &Connection, mut settings: Settings) -> Result<(), String> {
    let caps = serde_json::to_value(capabilities()).map_err(|e| e.to_string())?;
    let params = connection.initialize(caps).map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    if let Some(opts) = &params.initialization_options
        && let Err(m) = settings.apply(opts)
    {
        show_message(connection, &format!("exim-expand: {m}"));
    }
    let mut server = Server {
        settings,
        open: HashMap::new(),
    };
    for msg in &connection.receiver {
        match msg {
            Message::Request(req) => {
                if connection
                    .handle_shutdown(&req)
                    .map_err(|e| e.to_string())?
                {
                    return Ok(());
                }
                let resp = server.request(req);
                send(connection, resp.into());
            }
            Message::Notification(n) => {
                for (uri, diagnostics) in server.notification(n) {
                    let p = PublishDiagnosticsParams::new(uri, diagnostics, None);
                    send(
                        connection,
                        Notification::new(PublishDiagnostics::METHOD.into(), p).into(),
                    );
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

fn send(connection: &Connection, msg: Message) {
    // A closed channel means the client went away: the loop ends with it.
    let _ = connection.sender.send(msg);
}

fn show_message(connection: &Connection, text: &str) {
    let p = lsp_types::ShowMessageParams {
        typ: lsp_types::MessageType::ERROR,
        message: text.to_string(),
    };
    send(
        connection,
        Notification::new(lsp_types::notification::ShowMessage::METHOD.into(), p).into(),
    );
}

type Published = Vec<(Uri, Vec<lsp_types::Diagnostic>)>;

impl Server {
    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        let result = match req.method.as_str() {
            HoverRequest::METHOD => params::<HoverParams>(req).map(|p| {
                let at = p.text_document_position_params;
                let hover = self.with_doc(&at.text_document.uri, |o| {
                    hover::at(&o.doc, o.config.as_ref(), at.position)
                });
                serde_json::to_value(hover.flatten())
            }),
            Completion::METHOD => params::<CompletionParams>(req).map(|p| {
                let at = p.text_document_position;
                let ctx = &self.settings.context;
                let items = self.with_doc(&at.text_document.uri, |o| {
                    completion::at(&o.doc, o.config.as_ref(), ctx, at.position)
                });
                serde_json::to_value(items.map(CompletionResponse::Array))
            }),
            GotoDefinition::METHOD => params::<GotoDefinitionParams>(req).map(|p| {
                let at = p.text_document_position_params;
                let found = self.with_doc(&at.text_document.uri, |o| {
                    let c = o.config.as_ref()?;
                    definition::at(&o.doc, c, at.position)
                });
                serde_json::to_value(found.flatten().map(GotoDefinitionResponse::Scalar))
            }),
            other => {
                return Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("exim-expand lsp: no method \"{other}\""),
                );
            }
        };
        match result {
            Ok(Ok(v)) => Response::new_ok(id, v),
            Ok(Err(e)) => Response::new_err(id, ErrorCode::InternalError as i32, e.to_string()),
            Err(m) => Response::new_err(id, ErrorCode::InvalidParams as i32, m),
        }
    }

    fn with_doc<T>(&self, uri: &Uri, f: impl FnOnce(&Open) -> T) -> Option<T> {
        self.open.get(&uri::path_of(uri)).map(f)
    }

    fn notification(&mut self, n: Notification) -> Published {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) =
                    n.extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                {
                    return self.update(uri::path_of(&p.text_document.uri), p.text_document.text);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = n.extract::<lsp_types::DidChangeTextDocumentParams>(
                    DidChangeTextDocument::METHOD,
                ) && let Some(change) = p.content_changes.into_iter().last()
                {
                    return self.update(uri::path_of(&p.text_document.uri), change.text);
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Ok(p) =
                    n.extract::<lsp_types::DidSaveTextDocumentParams>(DidSaveTextDocument::METHOD)
                {
                    let path = uri::path_of(&p.text_document.uri);
                    let text = p
                        .text
                        .or_else(|| self.open.get(&path).map(|o| o.doc.text.clone()));
                    if let Some(text) = text {
                        return self.update(path, text);
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    n.extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                    && let Some(o) = self.open.remove(&uri::path_of(&p.text_document.uri))
                {
                    return o
                        .published
                        .iter()
                        .map(|f| (uri::uri_of(f), Vec::new()))
                        .collect();
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// Reads the document again and returns the diagnostics to publish,
    /// empty lists for files that had some and have none now.
    fn update(&mut self, path: String, text: String) -> Published {
        let doc = Document::new(path.clone(), text);
        let (config, errors) = match doc.kind {
            document::DocKind::Config => diagnostics::read_config(&doc, &self.settings),
            document::DocKind::Expansions => (None, Vec::new()),
        };
        let found = diagnostics::of_document(&doc, config.as_ref(), &errors, &self.settings);
        let files: BTreeSet<String> = found.keys().cloned().collect();
        let before = self
            .open
            .insert(
                path,
                Open {
                    doc,
                    config,
                    published: files.clone(),
                },
            )
            .map(|o| o.published)
            .unwrap_or_default();
        let mut out: Published = found
            .into_iter()
            .map(|(f, d)| (uri::uri_of(&f), d))
            .collect();
        out.extend(
            before
                .difference(&files)
                .map(|f| (uri::uri_of(f), Vec::new())),
        );
        out
    }
}

fn params<P: serde::de::DeserializeOwned>(req: Request) -> Result<P, String> {
    serde_json::from_value(req.params).map_err(|e| format!("{}: {e}", req.method))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initialization_options_set_what_is_checked() {
        let mut s = Settings::default();
        let opts = serde_json::json!({
            "profile": "exim-4.96-full", "defines": ["TLS=yes", "BARE"],
            "allBranches": false, "target": "4.93", "select": ["W"]
        });
        s.apply(&opts).unwrap();
        assert_eq!(s.context.profile.name, "exim-4.96-full");
        assert_eq!(
            s.defines,
            [("TLS".into(), "yes".into()), ("BARE".into(), String::new())]
        );
        assert!(!s.lint.all_branches);
        assert_eq!(s.lint.target, Some(crate::lint::target::Release(93)));
        assert!(s.selection.wants(&crate::lint::codes::CONSTANT_CONDITION));
        assert!(!s.selection.wants(&crate::lint::codes::SYNTAX));
        let bad = |o: serde_json::Value| Settings::default().apply(&o).unwrap_err();
        assert!(bad(serde_json::json!({"target": "five"})).contains("not an Exim 4 release"));
        assert!(bad(serde_json::json!({"profile": "nosuch"})).contains("unknown profile"));
        assert!(bad(serde_json::json!({"select": ["X9"]})).contains("X9"));
    }
}
