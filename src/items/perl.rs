//! `${perl{sub}{arg}...}`: a Perl subroutine, run by a `perl` child
//! process (this build embeds no interpreter).

use crate::eval::{Evaluator, Failure, Value};
use std::io::Write;

/// The Perl side of `${perl}`: the interpreter runs as a `perl` child
/// process that evaluates `perl_startup`, calls the subroutine and asks
/// back for `Exim::expand_string` calls.  Messages are `TAG LEN\n` then
/// LEN bytes.
const PERL_DRIVER: &str = r#"
use strict; use warnings; no warnings 'redefine';
binmode STDIN; binmode STDOUT; $| = 1;
sub rd { my $l = <STDIN>; return undef unless defined $l; chomp $l;
  my ($t, $n) = split / /, $l, 2; my $b = ''; $n ||= 0;
  while (length($b) < $n) { my $r = read(STDIN, $b, $n - length($b), length($b)); last unless $r; }
  return ($t, $b); }
sub wr { my ($t, $b) = @_; $b = '' unless defined $b; print STDOUT "$t " . length($b) . "\n" . $b; }
package Exim;
sub expand_string { my $s = shift; main::wr('E', $s); my ($t, $b) = main::rd();
  return $b if $t eq 'R'; return undef if $t eq 'U';
  require Carp; Carp::croak("syntax error in Exim::expand_string argument: $b"); }
sub log_write { main::wr('L', $_[0]); }
sub debug_write { }
package main;
$SIG{__WARN__} = sub { my ($s) = $_[0]; $s =~ s/\n$//; Exim::log_write($s) };
my (undef, $startup) = rd();
my (undef, $name) = rd();
my (undef, $argc) = rd();
my @args; for (1 .. $argc) { my (undef, $a) = rd(); push @args, $a; }
{ my $ok = eval "$startup ;\n die \$@ if \$@; 1";
  if (!$ok) { wr('S', $@); exit 0; } }
my $full = $name =~ /::/ ? $name : "main::$name";
{ no strict 'refs';
  if (!defined &{$full}) { wr('D', "Undefined subroutine &$full called.\n"); exit 0; }
  my $r = eval { &{$full}(@args) };
  if ($@) { wr('D', $@); } elsif (!defined $r) { wr('U', ''); } else { wr('O', "$r"); } }
"#;

fn perl_msg(tag: &str, body: &[u8]) -> Vec<u8> {
    let mut m = format!("{tag} {}\n", body.len()).into_bytes();
    m.extend_from_slice(body);
    m
}

fn perl_read(r: &mut impl std::io::BufRead) -> Option<(String, Vec<u8>)> {
    let mut line = Vec::new();
    r.read_until(b'\n', &mut line).ok()?;
    let line = String::from_utf8_lossy(&line).trim_end().to_string();
    let (tag, n) = line.split_once(' ')?;
    let n: usize = n.parse().ok()?;
    let mut body = vec![0; n];
    r.read_exact(&mut body).ok()?;
    Some((tag.to_string(), body))
}

/// `${perl{sub}{arg}...}`.
pub fn perl(ev: &mut Evaluator, vals: &[Value]) -> Result<Value, Failure> {
    let mut out = Value::empty();
    let startup = match ev.ctx.option("perl_startup") {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => {
            return Err(Failure::new(
                "A setting of perl_startup is needed when using the Perl interpreter",
            ));
        }
    };
    let Some((name, args)) = vals.split_first() else {
        return Err(super::unread());
    };
    let failed = |m: String| Failure::new(m);
    let mut child = std::process::Command::new("perl")
        .arg("-e")
        .arg(PERL_DRIVER)
        .env_clear()
        .envs(ev.ctx.environment.iter())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| {
            failed(format!(
                "error in perl_startup code: cannot start perl: {e}\n"
            ))
        })?;
    let (Some(mut to), Some(from)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(failed(
            "error in perl_startup code: no pipe to perl\n".into(),
        ));
    };
    let mut from = std::io::BufReader::new(from);
    let mut req = perl_msg("C", startup.as_bytes());
    req.extend(perl_msg("C", name.c_str()));
    req.extend(perl_msg("C", args.len().to_string().as_bytes()));
    for a in args {
        req.extend(perl_msg("C", a.c_str()));
    }
    let _ = to.write_all(&req);
    let result = loop {
        let Some((tag, body)) = perl_read(&mut from) else {
            break Err(failed("the Perl interpreter exited unexpectedly".into()));
        };
        match tag.as_str() {
            "E" => {
                let reply = match ev.expand_nested(&body) {
                    Ok(v) => perl_msg("R", &v.bytes),
                    Err(e) if e.is_forced() => perl_msg("U", b""),
                    Err(e) => perl_msg("F", &e.message),
                };
                let _ = to.write_all(&reply);
            }
            "L" => crate::acl::log_line(ev, &body),
            "O" => {
                out.push_bytes(&body);
                break Ok(out);
            }
            "U" => {
                break Err(Failure::forced(format!(
                    "Perl subroutine \"{}\" returned undef to force failure",
                    String::from_utf8_lossy(name.c_str())
                )));
            }
            "S" => {
                let mut m = b"error in perl_startup code: ".to_vec();
                m.extend_from_slice(&body);
                m.push(b'\n');
                break Err(Failure::new(m));
            }
            _ => break Err(Failure::new(body)),
        }
    };
    drop(to);
    let _ = child.wait();
    result
}

#[cfg(test)]
mod tests {

    use crate::testutil::expand_in as run;

    use crate::testutil::permissive as ctx;

    /// items.jsonl and live oracle runs.
    #[test]
    fn oracle_cases() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            (
                "${perl{foo}}",
                Err("A setting of perl_startup is needed when using the Perl interpreter"),
            ),
            (
                "${if eq{a}{b}{${perl{foo}}}{skipped-perl}}",
                Ok("skipped-perl"),
            ),
        ];
        let bad = crate::testutil::mismatches_in(ctx, cases);
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    /// The corpus's perl.conf / startup.pl, and what Exim 4.96 printed.
    #[test]
    fn perl_via_interpreter() {
        if std::process::Command::new("perl")
            .arg("-v")
            .output()
            .is_err()
        {
            return;
        }
        let dir = std::env::temp_dir().join(format!("ee-perl-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("startup.pl");
        std::fs::write(
            &f,
            "sub hello { my $n = shift; return defined $n ? \"Hello, $n!\" : \"Hello!\"; }\n\
             sub concat { return join(\"|\", @_); }\n\
             sub undef_sub { return undef; }\n\
             sub die_sub { die \"died in perl\\n\"; }\n\
             sub expand { return Exim::expand_string($_[0]); }\n1;\n",
        )
        .unwrap();
        let mut c = ctx();
        c.options
            .insert("perl_startup".into(), format!("do '{}'", f.display()));
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("${perl{hello}}", Ok("Hello!")),
            ("${perl{hello}{bob}}", Ok("Hello, bob!")),
            ("${perl{concat}{a}{b}{c}}", Ok("a|b|c")),
            (
                "${perl{nosuchsub}}",
                Err("Undefined subroutine &main::nosuchsub called.\n"),
            ),
            (
                "${perl{undef_sub}}",
                Err("Perl subroutine \"undef_sub\" returned undef to force failure"),
            ),
            ("${perl{die_sub}}", Err("died in perl\n")),
            ("${perl{expand}{\\$primary_hostname}}", Ok("myhost.test.ex")),
        ];
        c.options
            .insert("primary_hostname".into(), "myhost.test.ex".into());
        for (e, want) in cases {
            assert_eq!(
                run(&mut c, e),
                want.map(str::to_string).map_err(str::to_string),
                "{e}"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
