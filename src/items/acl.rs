//! `${acl{name}{arg1}...{arg9}}`: run an ACL, insert its message.
//!
//! accept and deny insert the `message =` text of the deciding statement
//! (or nothing); defer is a forced failure `DEFER from acl "name"`; any
//! other result (discard, drop, an error) fails with its name.

use crate::acl::{AclRc, eval_acl};
use crate::eval::{Evaluator, Failure, Value};

pub fn eval(ev: &mut Evaluator, vals: &[Value]) -> Result<Value, Failure> {
    let mut out = Value::empty();
    let Some((name, args)) = vals.split_first() else {
        return Err(super::unread());
    };
    let r = eval_acl(ev, name, args);
    match r.rc {
        AclRc::Ok | AclRc::Fail => {
            if let Some(m) = &r.user_msg {
                out.push(m);
            }
            Ok(out)
        }
        rc => {
            let mut m = format!("{} from acl \"", rc.name()).into_bytes();
            m.extend_from_slice(&name.bytes);
            m.push(b'"');
            Err(if rc == AclRc::Defer {
                Failure::forced(m)
            } else {
                Failure::new(m)
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::eval::{Context, Policy};

    /// The ACLs of the corpus configuration t0002 plus a few more; every
    /// expectation below is what Exim 4.96 printed for the same ACLs.
    const CONF: &str = "\
primary_hostname = myhost.test.ex
begin acl
a_ret:
  accept message = ($acl_narg) [$acl_arg1] [$acl_arg2]
a_none:
  accept
a_deny:
  deny message = ($acl_narg) [$acl_arg1] [$acl_arg2]
a_defer:
  defer
a_sub:
  require acl = a_none foo bar baz barf
  require acl = a_deny \"new arg1\" $acl_arg1
a_setvar:
  accept set acl_c_x = set-by-acl:$acl_arg1
         message = var=$acl_c_x
a_discard:
  discard message = discarded $acl_arg1
a_drop:
  drop message = dropped
a_failmsg:
  accept message = hi
         condition = false
a_failmsg2:
  accept condition = false
         message = hi
a_warn:
  warn message = warned
       set acl_c_w = w1
  accept message = after
a_req_defer:
  require acl = a_defer
  accept message = notreached
a_neg:
  deny !condition = false
       message = negdeny
a_badcond:
  accept condition = maybe
a_condfail:
  accept condition = ${if eq{a}{b}{yes}fail}
         message = forced-skip
a_domains:
  accept domains = x
a_hosts:
  accept hosts = 1.2.3.4
         message = hostsok
a_nested_discard:
  deny acl = a_discard
a_endpass:
  accept condition = false
         endpass
         message = ep
a_logmsg:
  deny log_message = logged
       message = um
a_req_fail:
  require message = reqmsg
          condition = false
a_quoted:
  accept acl = a_ret2 \"x y\" 'a b' c\\td
a_quoted2:
  deny acl = a_ret2 \"x y\" 'a b' c\\td
a_quoted3:
  deny acl = a_ret2 \"x\\ty\\\"z\" ${lc:A B} \"${lc:C D}\"
a_ret2:
  accept message = ($acl_narg) [$acl_arg1] [$acl_arg2] [$acl_arg3]
a_loop:
  accept acl = a_loop
a_empty:
a_addh:
  accept add_header = X: y
a_control:
  accept control = freeze
         delay = 0s
         message = ctl
a_badset:
  accept set acl_c_y = ${nosuch}
         message = afterbadset
a_drop_nested:
  require acl = a_drop
a_auth:
  accept authenticated = *
         message = authd
a_senders:
  accept senders = :
a_verify:
  accept verify = sender
c1:
  accept control = debug
d1:
  accept delay = bogus
";

    fn ctx() -> Context {
        let c = Config::from_str(CONF, &[]).unwrap();
        let mut ctx = Context::new();
        ctx.apply_config(&c);
        ctx.policy = Policy::permissive();
        ctx.policy.log_to_stderr = false;
        ctx
    }

    use crate::testutil::expand_in as run;

    #[test]
    fn oracle_cases() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            // items.jsonl / testsuite.jsonl (config t0002)
            ("${acl{a_ret}}", Ok("(0) [] []")),
            ("${acl {a_ret}{a b}{}}", Ok("(2) [a b] []")),
            (
                "${acl{a_ret}{1}{2}{3}{4}{5}{6}{7}{8}{9}}",
                Ok("(9) [1] [2]"),
            ),
            ("${acl{a_nosuch}}", Err("ERROR from acl \"a_nosuch\"")),
            (
                "${acl{a_discard}{d}}",
                Err("DISCARD from acl \"a_discard\""),
            ),
            ("${acl{a_setvar}{v}}", Ok("var=set-by-acl:v")),
            ("${acl}", Err("Not enough arguments for 'acl' (min is 1)")),
            ("${acl{}}", Ok("")),
            (
                "${if acl{{a_ret}{x}}{Y:$value}{N:$value}}",
                Ok("Y:(1) [x] []"),
            ),
            (
                "${if acl{{a_deny}{x}}{Y:$value}{N:$value}}",
                Ok("N:(1) [x] []"),
            ),
            (
                "${if acl{{a_defer}}{Y}{N}}",
                Err("DEFER from acl \"a_defer\""),
            ),
            ("${if !acl{{a_ret}}{Y}{N}}", Ok("N")),
            (
                "${if acl{{a_discard}}{Y:$value}{N:$value}}",
                Err("DISCARD from acl \"a_discard\""),
            ),
            ("acl: ${acl {a_none}{person@dom.ain}}", Ok("acl: ")),
            (
                "acl: ${acl {a_deny}{person@dom.ain}}",
                Ok("acl: (1) [person@dom.ain] []"),
            ),
            ("acl: ${acl {a_defer}}", Err("DEFER from acl \"a_defer\"")),
            (
                "acl: ${acl {a_sub}{top_arg_1}{top_arg_2}{top_arg_3}}",
                Ok("acl: (2) [new arg1] [top_arg_1]"),
            ),
            (
                "acl: ${reduce {1:2:3:4} {} {$value ${acl {a_ret}{$item}}}}",
                Ok("acl:  (1) [1] [] (1) [2] [] (1) [3] [] (1) [4] []"),
            ),
            // live oracle runs of the extra ACLs
            ("${acl{a_drop}}", Err("FAIL_DROP from acl \"a_drop\"")),
            ("${acl{a_failmsg}}", Ok("hi")),
            ("${acl{a_failmsg2}}", Ok("")),
            ("${acl{a_warn}}[$acl_c_w]", Ok("after[w1]")),
            ("${acl{a_req_defer}}", Err("DEFER from acl \"a_req_defer\"")),
            ("${acl{a_neg}}", Ok("negdeny")),
            ("${acl{a_badcond}}", Err("DEFER from acl \"a_badcond\"")),
            ("${acl{a_condfail}}", Ok("forced-skip")),
            ("${acl{a_domains}}", Err("ERROR from acl \"a_domains\"")),
            ("${acl{a_hosts}}", Ok("")),
            (
                "${acl{a_nested_discard}}",
                Err("ERROR from acl \"a_nested_discard\""),
            ),
            ("${acl{a_endpass}}", Ok("")),
            ("${acl{a_logmsg}}", Ok("um")),
            ("${acl{a_req_fail}}", Ok("reqmsg")),
            ("${acl{a_quoted}}", Ok("")),
            ("${acl{a_quoted2}}", Ok("(4) [x y] ['a] [b']")),
            ("${acl{a_quoted3}}", Err("ERROR from acl \"a_quoted3\"")),
            ("${acl{a_loop}}", Err("ERROR from acl \"a_loop\"")),
            ("${acl{a_empty}}", Ok("")),
            ("${acl{a_addh}}", Err("ERROR from acl \"a_addh\"")),
            ("${acl{a_control}}", Err("ERROR from acl \"a_control\"")),
            ("${acl{a_badset}}", Err("ERROR from acl \"a_badset\"")),
            (
                "${acl{a_drop_nested}}",
                Err("FAIL_DROP from acl \"a_drop_nested\""),
            ),
            ("${acl{a_auth}}", Ok("")),
            ("${if acl{{a_senders}}{Y}{N}}", Ok("N")),
            ("${acl{a_verify}}", Err("ERROR from acl \"a_verify\"")),
            ("${if acl{{c1}}{Y}{N}}", Ok("Y")),
            ("${acl{d1}}", Err("ERROR from acl \"d1\"")),
            ("${acl{accept message = inline}}", Ok("inline")),
            ("${acl{ a_ret2 }}", Err("ERROR from acl \" a_ret2 \"")),
            ("${acl{deny message = x\\naccept message = y}}", Ok("x")),
            (
                "${if acl{{a_drop}}{y}{n}}",
                Err("FAIL_DROP from acl \"a_drop\""),
            ),
            ("${if eq{a}{b}{${acl{a_nosuch}}}{skipped}}", Ok("skipped")),
        ];
        let bad = crate::testutil::mismatches_in(ctx, cases);
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    /// repl.jsonl: ACL connection variables persist across lines.
    #[test]
    fn acl_variables_persist() {
        let mut c = ctx();
        assert_eq!(run(&mut c, "[$acl_c_x]"), Ok("[]".into()));
        run(&mut c, "${acl{a_setvar}{v}}").unwrap();
        assert_eq!(run(&mut c, "[$acl_c_x]"), Ok("[set-by-acl:v]".into()));
        assert_eq!(run(&mut c, "[$acl_narg][$acl_arg1]"), Ok("[0][]".into()));
    }

    #[test]
    fn defer_is_forced() {
        let mut c = ctx();
        let e = crate::expand(b"${acl{a_defer}}", &mut c).unwrap_err();
        assert!(e.is_forced());
    }

    #[test]
    fn library_default_refuses() {
        let c = Config::from_str(CONF, &[]).unwrap();
        let mut ctx = Context::new();
        ctx.apply_config(&c);
        let got = run(&mut ctx, "${acl{a_ret}}").unwrap_err();
        assert!(got.contains("capability \"acl\""), "{got}");
        let got = run(&mut ctx, "${if acl{{a_ret}}{y}{n}}").unwrap_err();
        assert!(got.contains("capability \"acl\""), "{got}");
    }
}
