//! Every evaluation is bounded by the context's output-size and time
//! budgets (Exim has none; these keep hostile input from exhausting the
//! machine).

use exim_expand::eval::Limits;
use exim_expand::{Context, expand};
use std::time::Duration;

#[test]
fn output_budget_stops_a_growing_result() {
    let mut ctx = Context::new();
    ctx.limits = Limits {
        max_output: 1000,
        max_time: None,
        ..Limits::default()
    };
    let list = "a:".repeat(2000);
    let err = expand(
        format!("${{map{{{list}}}{{$item$item}}}}").as_bytes(),
        &mut ctx,
    )
    .unwrap_err();
    assert_eq!(
        err.message_str(),
        "expansion result longer than 1000 bytes (Limits::max_output)"
    );
    // Within the budget the same kind of expansion works.
    let ok = expand(b"${map{a:b}{$item$item}}", &mut ctx).unwrap();
    assert_eq!(ok.bytes, b"aa:bb");
}

#[test]
fn time_budget_stops_a_long_evaluation() {
    let mut ctx = Context::new();
    ctx.limits = Limits {
        max_output: usize::MAX,
        max_time: Some(Duration::from_millis(1)),
        ..Limits::default()
    };
    let list = "1:".repeat(200_000);
    let src = format!("${{reduce{{{list}}}{{0}}{{${{eval:$value+$item}}}}}}");
    let err = expand(src.as_bytes(), &mut ctx).unwrap_err();
    // Reported from inside the item, with Exim's usual context.
    assert_eq!(
        err.message_str(),
        "expansion took longer than 1 ms (Limits::max_time) inside \"reduce\" item"
    );
}

#[test]
fn default_budgets_allow_ordinary_work() {
    let mut ctx = Context::new();
    let list = "1:".repeat(1000);
    let src = format!("${{reduce{{{list}}}{{0}}{{${{eval:$value+$item}}}}}}");
    assert_eq!(expand(src.as_bytes(), &mut ctx).unwrap().bytes, b"1000");
}

/// Files are read up to `Limits::max_read`: a list file that never ends
/// (`/dev/zero`) is an error, not 4 GB of memory.  (lsearch refuses
/// `/dev/zero` as Exim does, not a regular file; its reads are bounded
/// the same way.)
#[test]
fn read_budget_stops_endless_files() {
    let mut ctx = Context::new();
    ctx.policy = exim_expand::eval::Policy::permissive();
    ctx.policy.log_to_stderr = false;
    ctx.limits = Limits {
        max_read: 1 << 20,
        ..Limits::default()
    };
    for src in [
        "${if match_domain{a.b}{/dev/zero}{y}{n}}",
        "${readfile{/dev/zero}}",
    ] {
        let err = expand(src.as_bytes(), &mut ctx).unwrap_err();
        assert!(
            err.message_str()
                .contains("/dev/zero is longer than 1048576 bytes (Limits::max_read)"),
            "{src}: {err}"
        );
    }
}
