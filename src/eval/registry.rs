//! The builtins an engine evaluates with, handed to it as tables.
//!
//! The evaluator knows no builtin by name: items, operators, conditions,
//! variables and lookup types reach it through a [`Registry`], built by
//! one function per compatibility profile (`builtins::debian_4_96()` and
//! friends), as minijinja's `defaults.rs` or jaq-std's tables are handed to
//! their engines.  The registry is also the parser's [`Grammar`]: the tree
//! stores the ids it hands out, and is evaluated against the same registry.

use super::{Capability, Context, Evaluator, ExpandError, Failure, Lookup, NameIndex, Value};
use crate::parser::{
    BracedName, CondId, CondShape, CondSig, Grammar, HeaderKind, ItemId, ItemNode, ItemShape,
    ItemSig, LookupStyle, OpId, OpSig, Tail,
};
use std::borrow::Cow;
use std::sync::Arc;

/// Evaluates an item whose arguments have a shape of their own (a
/// condition, branches expanded lazily, a list and the text to apply to
/// each element, ...): its node (arguments unevaluated), whether the
/// evaluation is skipping, and where to append the result.
///
/// ```
/// use exim_expand::{Context, Evaluator, Value, eval::ItemEval, parser::Node};
/// let t = exim_expand::parse(b"${if eq{a}{a}{yes}{no}}");
/// let Node::Item(node) = &t.root.nodes[0] else { panic!() };
/// let ItemEval::Node(eval) = t.registry().item_def(node.item).eval else { panic!() };
/// let mut ctx = Context::new();
/// let mut out = Value::new("=");
/// eval(&mut Evaluator::new(&mut ctx), node, false, &mut out).unwrap();
/// assert_eq!(out.bytes, b"=yes");
/// ```
pub type NodeFn = fn(&mut Evaluator, &ItemNode, bool, &mut Value) -> Result<(), ExpandError>;

/// Evaluates an item whose arguments are strings (shape
/// [`ItemShape::Subs`]): the evaluator has expanded them, in order, and
/// checked their number; the item returns its value (with its taint) or
/// a [`Failure`], which the evaluator places at the item.
///
/// ```
/// use exim_expand::{Context, Evaluator, Value, eval::ItemEval, parser::Grammar};
/// let reg = exim_expand::builtins::debian_4_96();
/// let (id, _) = reg.item(b"sg").unwrap();
/// let ItemEval::Strings(sg) = reg.item_def(id).eval else { panic!() };
/// let mut ctx = Context::new();
/// let args = [Value::tainted("abc"), Value::new("b"), Value::new("x")];
/// let v = sg(&mut Evaluator::new(&mut ctx), &args).unwrap();
/// assert_eq!((v.bytes.as_slice(), v.tainted), (&b"axc"[..], true));
/// ```
pub type StringsFn = fn(&mut Evaluator, &[Value]) -> Result<Value, Failure>;

/// How an item is evaluated: from its expanded arguments, or from its node.
#[derive(Clone, Copy)]
pub enum ItemEval {
    /// The arguments are strings, expanded by the evaluator.
    Strings(StringsFn),
    /// The item walks its own arguments.
    Node(NodeFn),
}

/// What an item of strings does in an untaken branch, once its arguments
/// are expanded (Exim 4.96 is not uniform here).
#[derive(Clone, Copy, Debug)]
pub enum WhenSkipping {
    /// Nothing (most items).
    Ignored,
    /// It is computed all the same and its result appended: code in
    /// untaken branches sees it (`tr`, `substr`, `listquote`, ...).
    Computed,
    /// Its arguments are checked (and the check's failure reported), but
    /// nothing is computed (`imapfolder`'s separator).
    Checked(fn(&[Value]) -> Result<(), Failure>),
}

/// What an operator yields: its value (whose taint is added to the
/// operand's), or a [`Failure`] carrying Exim's message (as bytes: messages
/// quote the operand, which need not be UTF-8).
///
/// ```
/// use exim_expand::{Context, Evaluator, Value, eval::Failure, parser::Grammar};
/// let reg = exim_expand::builtins::debian_4_96();
/// let (id, _, _) = reg.operator(b"hex2b64").unwrap();
/// let mut ctx = Context::new();
/// let r = (reg.op_def(id).func)(&mut Evaluator::new(&mut ctx), None, &Value::new("xyz"));
/// assert_eq!(r, Err(Failure::new("\"xyz\" is not a hex string")));
/// ```
pub type OpResult = Result<Value, Failure>;

/// An operator: `arg` is the text after the first `_` (for the main table),
/// `input` the expanded operand.  Errors are Exim's message text.
///
/// ```
/// use exim_expand::{Context, Evaluator, Value, parser::Grammar};
/// let reg = exim_expand::builtins::debian_4_96();
/// let (id, _, arg) = reg.operator(b"substr_1_3").unwrap();
/// let arg = arg.map(|a| std::str::from_utf8(a).unwrap());
/// let mut ctx = Context::new();
/// let r = (reg.op_def(id).func)(&mut Evaluator::new(&mut ctx), arg, &Value::new("abcdef"));
/// assert_eq!(r, Ok(Value::new("bcd")));
/// ```
pub type OpFn = fn(&mut Evaluator, Option<&str>, &Value) -> OpResult;

/// A certificate-aware operator applied to the certificate a variable
/// holds (`pem`); `None` when it holds none (the operator then sees the
/// variable's name, as Exim's does).
///
/// ```
/// use exim_expand::{Context, Evaluator, Value, parser::Grammar};
/// let reg = exim_expand::builtins::debian_4_96();
/// let (id, sig, _) = reg.operator(b"sha256").unwrap();
/// assert!(sig.cert_aware);
/// let cert = reg.op_def(id).cert.unwrap();
/// let mut ctx = Context::new();
/// assert_eq!(cert(&mut Evaluator::new(&mut ctx), "sha256", &Value::new("no PEM here")), None);
/// ```
pub type CertFn = fn(&mut Evaluator, &str, &Value) -> Option<OpResult>;

/// A static check of an operator's `_arg` suffix, for `check` and `lint`:
/// given the operator's name in its table and the suffix, the message Exim
/// gives whenever the operator is evaluated with it (whatever the
/// operand), or `Ok`.
///
/// ```
/// use exim_expand::{Context, parser::Grammar};
/// let reg = exim_expand::builtins::debian_4_96();
/// let check = |name: &[u8]| {
///     let (id, _, arg) = reg.operator(name).unwrap();
///     let arg = arg.map(|a| String::from_utf8(a.to_vec()).unwrap());
///     let def = reg.op_def(id);
///     def.check.map(|f| f(&Context::new(), def.sig.name, arg.as_deref()))
/// };
/// assert_eq!(check(b"substr_1_2"), Some(Ok(())));
/// let bad = check(b"substr_x").unwrap().unwrap_err();
/// assert_eq!(bad, b"non-digit after underscore in \"substr_x\"");
/// assert_eq!(check(b"lc"), None);
/// ```
pub type OpCheckFn = fn(&Context, &str, Option<&str>) -> Result<(), Vec<u8>>;

/// A static check of an item as written, for `check` and `lint`: an error
/// Exim gives whenever the item is evaluated (its literal arguments decide
/// it), or `None`.
pub type ItemCheckFn = fn(&ItemNode) -> Option<ExpandError>;

/// A condition with string arguments; errors carry Exim's message text.
///
/// ```
/// use exim_expand::{Context, Evaluator, Value, parser::Grammar};
/// let reg = exim_expand::builtins::debian_4_96();
/// let (id, _) = reg.condition(b"eqi").unwrap();
/// let mut ctx = Context::new();
/// let args = [Value::new("A"), Value::new("a")];
/// let r = (reg.cond_def(id).func)(&mut Evaluator::new(&mut ctx), &args);
/// assert_eq!(r, Ok(true));
/// ```
pub type CondFn = fn(&mut Evaluator, &[Value]) -> Result<bool, Failure>;

/// An item: its signature, how it is evaluated, what it does when
/// skipping and the capability it needs.
///
/// ```
/// let reg = exim_expand::builtins::debian_4_96();
/// let names: Vec<&str> = reg.items().iter().map(|d| d.sig.name).collect();
/// assert!(names.contains(&"sg") && names.is_sorted());
/// let readfile = reg.items().iter().find(|d| d.sig.name == "readfile").unwrap();
/// assert_eq!(readfile.capability.unwrap().0, exim_expand::Capability::ReadFile);
/// ```
#[derive(Clone, Copy)]
pub struct ItemDef {
    /// What the parser needs: the name, the argument shape, the tail rule.
    pub sig: ItemSig,
    /// Evaluates the item.
    pub eval: ItemEval,
    /// For items of strings: what happens in an untaken branch.
    pub skipping: WhenSkipping,
    /// For items of strings: the capability the embedder's policy must
    /// grant, and what it is for ("reading a file"); checked by the
    /// evaluator before the item is called (not while skipping).
    pub capability: Option<(Capability, &'static str)>,
    /// What `check` and `lint` can tell from the item as written.
    pub check: Option<ItemCheckFn>,
}

impl ItemDef {
    /// An item that walks its own node; its `{yes}{no}` tail (if any) is
    /// worded with its name.
    pub const fn node(name: &'static str, shape: ItemShape, eval: NodeFn) -> ItemDef {
        ItemDef {
            sig: ItemSig {
                name,
                shape,
                tail: Tail::value(name),
            },
            eval: ItemEval::Node(eval),
            skipping: WhenSkipping::Ignored,
            capability: None,
            check: None,
        }
    }

    /// An item of `min..=max` strings, evaluated from their values.
    pub const fn strings(name: &'static str, min: u8, max: u8, eval: StringsFn) -> ItemDef {
        ItemDef {
            sig: ItemSig {
                name,
                shape: ItemShape::Subs { min, max },
                tail: Tail::value(name),
            },
            eval: ItemEval::Strings(eval),
            skipping: WhenSkipping::Ignored,
            capability: None,
            check: None,
        }
    }

    /// The same item with another tail rule.
    pub const fn with_tail(self, tail: Tail) -> ItemDef {
        ItemDef {
            sig: ItemSig { tail, ..self.sig },
            ..self
        }
    }

    /// The same item, doing `skipping` in untaken branches.
    pub const fn when_skipping(self, skipping: WhenSkipping) -> ItemDef {
        ItemDef { skipping, ..self }
    }

    /// The same item, with a static check for `check` and `lint`.
    pub const fn checked(self, check: ItemCheckFn) -> ItemDef {
        ItemDef {
            check: Some(check),
            ..self
        }
    }

    /// The same item, needing capability `c` for `what`.
    pub const fn needs(self, c: Capability, what: &'static str) -> ItemDef {
        ItemDef {
            capability: Some((c, what)),
            ..self
        }
    }
}

/// An operator.
///
/// ```
/// use exim_expand::{Context, Evaluator, Value, eval::OpDef};
/// let twice = OpDef::new("twice", |_ev, _arg, v| Ok(v.bytes.repeat(2).into()));
/// let mut ctx = Context::new();
/// let r = (twice.func)(&mut Evaluator::new(&mut ctx), None, &Value::new("ab"));
/// assert_eq!(r, Ok(Value::new("abab")));
/// assert!(!twice.sig.cert_aware && twice.cert.is_none());
/// ```
#[derive(Clone, Copy)]
pub struct OpDef {
    /// What the parser needs: the name, whether it is certificate-aware.
    pub sig: OpSig,
    /// Computes the result from the argument and the expanded operand.
    pub func: OpFn,
    /// For certificate-aware operators: the form applied to a certificate.
    pub cert: Option<CertFn>,
    /// What `check` and `lint` can tell from the `_arg` suffix.
    pub check: Option<OpCheckFn>,
}

impl OpDef {
    /// An operator that is not certificate-aware.
    pub const fn new(name: &'static str, func: OpFn) -> OpDef {
        OpDef {
            sig: OpSig {
                name,
                cert_aware: false,
            },
            func,
            cert: None,
            check: None,
        }
    }

    /// An operator that works on the certificate when its operand is
    /// exactly a certificate variable.
    pub const fn cert_aware(name: &'static str, func: OpFn, cert: CertFn) -> OpDef {
        OpDef {
            sig: OpSig {
                name,
                cert_aware: true,
            },
            func,
            cert: Some(cert),
            check: None,
        }
    }

    /// The same operator, with a static check of its `_arg` suffix.
    pub const fn checked(self, check: OpCheckFn) -> OpDef {
        OpDef {
            check: Some(check),
            ..self
        }
    }
}

/// A condition.
///
/// ```
/// let reg = exim_expand::builtins::debian_4_96();
/// let def = |name| reg.conditions().iter().find(|d| d.sig.name == name).unwrap();
/// assert!(def("<").numeric && !def("lt").numeric);
/// assert!(def("bool").checked_when_skipping);
/// ```
#[derive(Clone, Copy)]
pub struct CondDef {
    /// What the parser needs: the name and how the arguments are read.
    pub sig: CondSig,
    /// Decides the condition from its expanded arguments.
    pub func: CondFn,
    /// The numeric comparisons: each operand is converted to an integer as
    /// soon as it is expanded (so a bad first operand is reported before
    /// the second is expanded).
    pub numeric: bool,
    /// Run even in untaken branches (4.96 checks `bool{}` values there).
    pub checked_when_skipping: bool,
}

impl CondDef {
    /// A condition that is neither numeric nor checked when skipping.
    pub const fn new(name: &'static str, shape: CondShape, func: CondFn) -> CondDef {
        CondDef {
            sig: CondSig { name, shape },
            func,
            numeric: false,
            checked_when_skipping: false,
        }
    }
}

/// Integer reading for the numeric conditions (`==`, `<`, ...).
///
/// ```
/// use exim_expand::{Context, expand};
/// // Exim 4.96's reading accepts K, M and G suffixes.
/// assert_eq!(expand(b"${if <{2k}{3000}{y}{n}}", &mut Context::new()).unwrap().bytes, b"y");
/// let e = expand(b"${if <{a}{1}}", &mut Context::new()).unwrap_err();
/// assert_eq!(e.to_string(), "integer expected but \"a\" found");
/// ```
pub type NumberFn = fn(&Value) -> Result<i64, Vec<u8>>;

/// The variable table of a profile.
///
/// ```
/// use exim_expand::eval::{Registry, RegistryParts, Template, Variables};
/// use exim_expand::{Context, Evaluator, Value};
/// use std::borrow::Cow;
/// // A registry that knows one variable, `$answer`, and nothing else.
/// let vars = Variables {
///     lookup: |_ev, name, _skip| (name == "answer").then(|| Cow::Owned(Value::new("42"))),
///     header: |_ev, _kind, _name| None,
///     unknown_hint: |_name| String::new(),
///     is_certificate: |_name| false,
/// };
/// let reg = Registry::new(RegistryParts {
///     name: "tiny",
///     items: vec![],
///     underscore_ops: vec![],
///     main_ops: vec![],
///     conditions: vec![],
///     vars,
///     number: |v| v.to_string_lossy().parse().map_err(|_| b"not a number".to_vec()),
///     lookups: vec![],
///     lookup_spec: |_reg, spec| Err(format!("unknown lookup type \"{spec}\"")),
/// });
/// let reg = std::sync::Arc::new(reg);
/// let mut ctx = Context::new();
/// let mut ev = Evaluator::new(&mut ctx);
/// assert_eq!(ev.run(&Template::parse(b"$answer", &reg)).unwrap().bytes, b"42");
/// assert!(ev.run(&Template::parse(b"$version_number", &reg)).is_err());
/// ```
#[derive(Clone, Copy)]
pub struct Variables {
    /// A variable's value; `None` when no such variable exists.  While
    /// skipping, only existence matters.  A value the evaluator or the
    /// context holds is lent, not copied.
    pub lookup: for<'e> fn(&'e Evaluator, &str, bool) -> Option<Cow<'e, Value>>,
    /// A header of the message (`$h_name:` and friends); `None` when absent.
    pub header: fn(&Evaluator, HeaderKind, &[u8]) -> Option<Value>,
    /// Text Exim appends to an unknown-variable message (about `acl_`
    /// names that are not ACL variables).
    pub unknown_hint: fn(&str) -> String,
    /// Whether the variable holds a certificate.
    pub is_certificate: fn(&[u8]) -> bool,
}

/// Everything an engine knows about builtins, for one compatibility
/// profile.
///
/// ```
/// use exim_expand::parser::Grammar;
/// let reg = exim_expand::builtins::debian_4_96();
/// assert_eq!(reg.name, "debian-4.96");
/// let (id, _) = reg.condition(b"match_domain").unwrap();
/// assert_eq!(reg.cond_def(id).sig.name, "match_domain");
/// assert!(reg.lookup_names().any(|n| n == "lsearch"));
/// ```
#[derive(Clone)]
pub struct Registry {
    /// The profile's name (`debian-4.96`, ...).
    pub name: &'static str,
    items: Vec<ItemDef>,
    underscore_ops: Vec<OpDef>,
    main_ops: Vec<OpDef>,
    conditions: Vec<CondDef>,
    /// Where each name is in the tables above.
    index: Indexes,
    pub(crate) vars: Variables,
    pub(crate) number: NumberFn,
    lookups: Vec<(Arc<str>, Arc<dyn Lookup>)>,
    lookup_spec: LookupSpecFn,
}

/// Checks a lookup type specification (`partial-lsearch*@,ret=key`)
/// against a registry's lookup types: its style, or Exim's message.
pub type LookupSpecFn = fn(&Registry, &str) -> Result<LookupStyle, String>;

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Registry({}: {} items, {} operators, {} conditions)",
            self.name,
            self.items.len(),
            self.underscore_ops.len() + self.main_ops.len(),
            self.conditions.len()
        )?;
        write!(f, ", lookups {:?}", self.lookup_names().collect::<Vec<_>>())
    }
}

/// The pieces of a [`Registry`]; each table is sorted by name when the
/// registry is built.
///
/// ```
/// use exim_expand::eval::{OpDef, Registry, RegistryParts, Template, Variables};
/// use exim_expand::{Context, Evaluator, Value};
/// let reg = Registry::new(RegistryParts {
///     name: "twice-only",
///     items: vec![],
///     underscore_ops: vec![],
///     main_ops: vec![OpDef::new("twice", |_ev, _arg, v| Ok(v.bytes.repeat(2).into()))],
///     conditions: vec![],
///     vars: Variables {
///         lookup: |_, _, _| None,
///         header: |_, _, _| None,
///         unknown_hint: |_| String::new(),
///         is_certificate: |_| false,
///     },
///     number: |_| Err(b"no numbers".to_vec()),
///     lookups: vec![],
///     lookup_spec: |_, spec| Err(format!("unknown lookup type \"{spec}\"")),
/// });
/// let t = Template::parse(b"${twice:ab}", &std::sync::Arc::new(reg));
/// let mut ctx = Context::new();
/// assert_eq!(Evaluator::new(&mut ctx).run(&t).unwrap().bytes, b"abab");
/// ```
pub struct RegistryParts {
    /// The profile's name (`debian-4.96`, ...).
    pub name: &'static str,
    /// The items (`if`, `lookup`, `sg`, ...).
    pub items: Vec<ItemDef>,
    /// Operators whose names contain `_` (looked up first, whole).
    pub underscore_ops: Vec<OpDef>,
    /// Operators that may be followed by `_argument`.
    pub main_ops: Vec<OpDef>,
    /// The conditions (`eq`, `def`, `and`, `match_domain`, ...).
    pub conditions: Vec<CondDef>,
    /// How variables and headers are read.
    pub vars: Variables,
    /// How the numeric conditions (`==`, `<`, ...) read their operands.
    pub number: NumberFn,
    /// The lookup types by name.
    pub lookups: Vec<(&'static str, Arc<dyn Lookup>)>,
    /// Checks a lookup type specification such as `partial-lsearch*@` against
    /// the lookup types.
    pub lookup_spec: LookupSpecFn,
}

fn sorted<T>(mut v: Vec<T>, name: impl Fn(&T) -> &'static str) -> Vec<T> {
    v.sort_by_key(|d| name(d));
    v
}

/// The name indexes of a registry's tables.
#[derive(Clone, Default)]
struct Indexes {
    /// Items, then underscore operators, then main operators, at their
    /// positions in that concatenation: what follows `${` in one lookup.
    braced: NameIndex,
    items: NameIndex,
    underscore_ops: NameIndex,
    main_ops: NameIndex,
    conditions: NameIndex,
}

impl Registry {
    /// Builds a registry; the tables may come in any order.
    pub fn new(p: RegistryParts) -> Registry {
        let items = sorted(p.items, |d| d.sig.name);
        let underscore_ops = sorted(p.underscore_ops, |d| d.sig.name);
        let main_ops = sorted(p.main_ops, |d| d.sig.name);
        let conditions = sorted(p.conditions, |d| d.sig.name);
        let braced_names = items.iter().map(|d| d.sig.name).chain(
            underscore_ops
                .iter()
                .chain(main_ops.iter())
                .map(|d| d.sig.name),
        );
        let index = Indexes {
            braced: NameIndex::new(braced_names),
            items: NameIndex::new(items.iter().map(|d| d.sig.name)),
            underscore_ops: NameIndex::new(underscore_ops.iter().map(|d| d.sig.name)),
            main_ops: NameIndex::new(main_ops.iter().map(|d| d.sig.name)),
            conditions: NameIndex::new(conditions.iter().map(|d| d.sig.name)),
        };
        Registry {
            name: p.name,
            items,
            underscore_ops,
            main_ops,
            conditions,
            index,
            vars: p.vars,
            number: p.number,
            lookups: p
                .lookups
                .into_iter()
                .map(|(n, l)| (Arc::from(n), l))
                .collect(),
            lookup_spec: p.lookup_spec,
        }
        .with_sorted_lookups()
    }

    fn with_sorted_lookups(mut self) -> Registry {
        self.lookups.sort_by(|a, b| a.0.cmp(&b.0));
        self
    }

    /// A lookup type by name, with its name as the registry holds it.
    pub fn lookup(&self, name: &str) -> Option<(&Arc<str>, &Arc<dyn Lookup>)> {
        // A scan that compares lengths first: a few dozen short names, most
        // of them told apart without comparing bytes (cheaper than a binary
        // search's string comparisons).
        let (n, l) = self
            .lookups
            .iter()
            .find(|(n, _)| n.len() == name.len() && **n == *name)?;
        Some((n, l))
    }

    /// The names of the lookup types, sorted.
    pub fn lookup_names(&self) -> impl Iterator<Item = &str> {
        self.lookups.iter().map(|(n, _)| &**n)
    }

    /// Adds a lookup type, or replaces the one of that name.
    pub fn set_lookup(&mut self, name: &str, lookup: Arc<dyn Lookup>) {
        match self.lookups.binary_search_by(|(n, _)| (**n).cmp(name)) {
            Ok(i) => self.lookups[i].1 = lookup,
            Err(i) => self.lookups.insert(i, (Arc::from(name), lookup)),
        }
    }

    /// The same registry with a lookup type added or replaced.
    pub fn with_lookup(mut self, name: &str, lookup: Arc<dyn Lookup>) -> Registry {
        self.set_lookup(name, lookup);
        self
    }

    /// Every item, sorted by name.
    pub fn items(&self) -> &[ItemDef] {
        &self.items
    }

    /// Every operator: those with `_` in their names, then the others.
    pub fn operators(&self) -> impl Iterator<Item = &OpDef> {
        self.underscore_ops.iter().chain(&self.main_ops)
    }

    /// Every condition, sorted by name.
    pub fn conditions(&self) -> &[CondDef] {
        &self.conditions
    }

    /// The item an id names.
    #[inline]
    pub fn item_def(&self, id: ItemId) -> &ItemDef {
        &self.items[usize::from(id.0)]
    }

    /// The operator an id names.
    #[inline]
    pub fn op_def(&self, id: OpId) -> &OpDef {
        let i = usize::from(id.0);
        match i.checked_sub(self.underscore_ops.len()) {
            None => &self.underscore_ops[i],
            Some(j) => &self.main_ops[j],
        }
    }

    /// The condition an id names.
    #[inline]
    pub fn cond_def(&self, id: CondId) -> &CondDef {
        &self.conditions[usize::from(id.0)]
    }
}

fn id16(i: usize) -> u16 {
    u16::try_from(i).expect("builtin tables hold fewer than 65536 entries")
}

impl Grammar for Registry {
    #[inline]
    fn item(&self, name: &[u8]) -> Option<(ItemId, &ItemSig)> {
        let i = self.index.items.get(name)?;
        Some((ItemId(id16(i)), &self.items[i].sig))
    }

    fn braced_name<'n>(&self, name: &'n [u8]) -> BracedName<'_, 'n> {
        let (ni, nu) = (self.items.len(), self.underscore_ops.len());
        if let Some(i) = self.index.braced.get(name) {
            return if i < ni {
                BracedName::Item(ItemId(id16(i)), &self.items[i].sig)
            } else if i < ni + nu {
                BracedName::Operator(OpId(id16(i - ni)), &self.underscore_ops[i - ni].sig, None)
            } else {
                BracedName::Operator(OpId(id16(i - ni)), &self.main_ops[i - ni - nu].sig, None)
            };
        }
        // `substr_1_3`: the main operator before the first `_`.
        let Some(k) = name.iter().position(|&c| c == b'_') else {
            return BracedName::Neither;
        };
        match self.index.main_ops.get(&name[..k]) {
            Some(j) => BracedName::Operator(
                OpId(id16(nu + j)),
                &self.main_ops[j].sig,
                Some(&name[k + 1..]),
            ),
            None => BracedName::Neither,
        }
    }

    #[inline]
    fn item_sig(&self, id: ItemId) -> &ItemSig {
        &self.item_def(id).sig
    }

    #[inline]
    fn operator<'n>(&self, name: &'n [u8]) -> Option<(OpId, &OpSig, Option<&'n [u8]>)> {
        if let Some(i) = self.index.underscore_ops.get(name) {
            return Some((OpId(id16(i)), &self.underscore_ops[i].sig, None));
        }
        let (base, arg) = match name.iter().position(|&c| c == b'_') {
            Some(i) => (&name[..i], Some(&name[i + 1..])),
            None => (name, None),
        };
        let i = self.index.main_ops.get(base)?;
        Some((
            OpId(id16(self.underscore_ops.len() + i)),
            &self.main_ops[i].sig,
            arg,
        ))
    }

    #[inline]
    fn condition(&self, name: &[u8]) -> Option<(CondId, &CondSig)> {
        let i = self.index.conditions.get(name)?;
        Some((CondId(id16(i)), &self.conditions[i].sig))
    }

    fn lookup_style(&self, spec: &str) -> Result<LookupStyle, String> {
        (self.lookup_spec)(self, spec)
    }

    #[inline]
    fn is_certificate_var(&self, name: &[u8]) -> bool {
        (self.vars.is_certificate)(name)
    }
}
