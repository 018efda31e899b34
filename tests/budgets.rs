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

/// Issue 8.3: a sort that runs out of time says so (it used to say
/// `field-extract in sort: "$item"`).  Keys that are not numbers under a
/// numeric comparator take Exim's own quadratic insertion sort.
#[test]
fn time_budget_in_sort_names_the_budget() {
    let mut ctx = Context::new();
    ctx.limits = Limits {
        max_output: usize::MAX,
        max_time: Some(Duration::from_millis(10)),
        ..Limits::default()
    };
    let list: Vec<String> = (0..40_000).map(|i| format!("x{i}")).collect();
    let src = format!("${{sort{{{}}}{{<}}{{$item}}}}", list.join(":"));
    let err = expand(src.as_bytes(), &mut ctx).unwrap_err();
    assert_eq!(
        err.message_str(),
        "expansion took longer than 10 ms (Limits::max_time)"
    );
    // ... also when the time runs out in the extractor.
    let src = format!(
        "${{sort{{{}}}{{<}}{{${{reduce{{1:2:3:4:5:6:7:8}}{{0}}{{${{eval:$value+$item}}}}}}}}}}",
        list.join(":")
    );
    let err = expand(src.as_bytes(), &mut ctx).unwrap_err();
    assert!(
        err.message_str()
            .starts_with("expansion took longer than 10 ms (Limits::max_time)"),
        "{}",
        err.message_str()
    );
}

/// Ordinary lists sort in O(n log n): 100,000 numbers within the default budget.
#[test]
fn large_sorts_finish_within_the_default_budget() {
    let mut ctx = Context::new();
    let n: u64 = 100_000;
    let shuffled: Vec<u64> = (0..n).map(|i| (i * 7919) % n).collect();
    let text: Vec<String> = shuffled.iter().map(u64::to_string).collect();
    let src = format!("${{sort{{{}}}{{>}}{{$item}}}}", text.join(":"));
    let got = expand(src.as_bytes(), &mut ctx).unwrap();
    let mut want = shuffled.clone();
    want.sort_unstable_by(|a, b| b.cmp(a));
    let want: Vec<String> = want.iter().map(u64::to_string).collect();
    assert_eq!(got.to_string_lossy(), want.join(":"));
}
