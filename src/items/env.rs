//! `${env{NAME}{yes}{no}}`: the environment as Exim keeps it after
//! `keep_environment` (Debian's default keeps nothing).

use crate::eval::{Capability, Evaluator, ExpandError, Value};
use crate::parser::{Arg, ItemNode};

pub fn eval(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    let Some(Arg::Seq(name)) = item.args.first() else {
        return ev.incomplete_item(item, skip);
    };
    let name = ev.seq(name, skip)?;
    let saved = ev.value.clone();
    let found = if skip {
        None
    } else {
        ev.ctx
            .policy
            .require(Capability::Env, "reading the environment", item.span)?;
        let n = name.to_string_lossy();
        ev.ctx.environment.get(&n).cloned()
    };
    let yes = found.is_some();
    ev.value = found.map(Value::from);
    let r = ev.yes_no(item, yes, skip, saved.clone(), out);
    // Restored on success only, as in Exim (see `Evaluator::scoped`).
    if r.is_ok() {
        ev.value = saved;
    }
    r
}
