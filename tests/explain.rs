//! Snapshots of the explain-mode tree (`exim-expand eval --explain`).

use exim_expand::eval::trace::{Tracer, render};
use exim_expand::{Context, Evaluator, Value, parse};

fn explain(src: &str) -> String {
    let mut ctx = Context::new();
    ctx.options
        .insert("primary_hostname".into(), "myhost.test.ex".into());
    ctx.vars.insert("x".into(), Value::new(&b"2"[..]));
    ctx.vars
        .insert("remote".into(), Value::tainted(&b"Evil@Example.COM"[..]));
    let t = parse(src.as_bytes());
    let mut ev = Evaluator::new(&mut ctx);
    ev.tracer = Some(Tracer::default());
    let r = ev.run(&t);
    let tree = render(src.as_bytes(), &ev.tracer.take().unwrap().roots);
    let result = match r {
        Ok(v) => format!(
            "result {:?}{}",
            v.to_string_lossy(),
            if v.tainted { " [tainted]" } else { "" }
        ),
        Err(e) => format!("error {:?}", e.message_str()),
    };
    format!("=== {src}\n{tree}{result}\n")
}

#[test]
fn explain_trees() {
    let cases = [
        "${if and{{eq{$x}{1}}{def:x}}{one ${uc:$x}}{other ${lc:${substr_1:$primary_hostname}}}}",
        "${map{a:b}{<$item>}}",
        "${lc:$remote} and ${domain:$remote}",
        "${if forany{a:b:c}{eq{$item}{b}}{found}fail}",
        "${if eq{a}{b}{yes}fail}",
        "${eval:1+} never reached",
    ];
    let all: String = cases.iter().map(|c| explain(c)).collect();
    insta::assert_snapshot!(all);
}
