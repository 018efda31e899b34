#!/usr/bin/env python3
"""Differential fuzzing against the real Exim: random nested expansions are
fed, as one -be session, to Exim 4.96 and to exim-expand, and the outputs
compared line by line.

    tools/diff_fuzz.py [SEED] [COUNT]     (needs /usr/sbin/exim4 and a release build)

Exim stops at the first expression that crashes it; lines after that are
not compared.  Known remaining differences: after a failed line Exim can
leave $value pointing at stale memory, which later lines then print.
"""
import random, sys
NAMES="lc uc length_2 substr_1_3 hash_3 nhash_5 md5 sha1 sha256 sha3 base32 base32d base62 base62d base64 base64d eval eval10 escape escape8bit hexquote quote quote_local_part rxquote address addresses domain local_part mask ipv6norm ipv6denorm reverse_ip listcount time_eval time_interval rfc2047 rfc2047d from_utf8 utf8clean strlen str2b64 hex2b64 quote_lsearch l_1 s_2 h_2 nh_3 sha2_512 utf8_domain_to_alabel".split()
CONDS=["eq{A}{B}","eqi{A}{B}","<{A}{B}",">={A}{B}","match{A}{B}","inlist{A}{B}","inlisti{A}{B}","isip{A}","bool{A}","bool_lax{A}","def:primary_hostname","and{{eq{A}{B}}{eq{B}{A}}}","or{{eq{A}{B}}}","forany{A}{eq{$item}{B}}","forall{A}{eq{$item}{B}}","match_domain{A}{B}","match_ip{A}{B}","match_address{A}{B}","match_local_part{A}{B}","!eq{A}{B}","lt{A}{B}","gti{A}{B}"]
ATOMS=["","a","ABC","1","-5","0x10","99999999999999999999","a:b:c","<;a;b","::"," x ","\\N{}\\N","\\x41","\\101","$1","${2}","$primary_hostname","$value","$item","user@example.com","Name <u@x.y>","192.0.2.1/24","::1","1.2.3.4","[1,[2],\"x\"]","{\"a\":1}","=?utf-8?q?x=C3=A9?=","(a)(b)","\\{","ü","*.example.com","a@b.c","10","3","xyz","a=1 b=2","\\$x","5s1m","60"]
def g(r,d):
    if d==0: return r.choice(ATOMS)
    a=g(r,d-1); b=g(r,d-1)
    k=r.randrange(16)
    if k==0: return "${%s:%s}"%(r.choice(NAMES),a)
    if k==1:
        c=r.choice(CONDS).replace("A",a).replace("B",b)
        return "${if %s{%s}{%s}}"%(c,a,b)
    if k==2: return "${map{%s}{<$item>%s}}"%(a,b)
    if k==3: return "${filter{%s}{eq{$item}{%s}}}"%(a,b)
    if k==4: return "${reduce{%s}{}{$value%s}}"%(a,b)
    if k==5: return "${sort{%s}{%s}{$item}}"%(a,r.choice(["<","lt","gei",">="]))
    if k==6: return "${extract{%s}{%s}}"%(a,b)
    if k==7: return "${extract{%s}{:}{%s}}"%(a,b)
    if k==8: return "${sg{%s}{%s}{x}}"%(a,b)
    if k==9: return "${tr{%s}{%s}{xy}}"%(a,b)
    if k==10: return "${listextract{%s}{%s}}"%(a,b)
    if k==11: return "${hmac{md5}{%s}{%s}}"%(a,b)
    if k==12: return "${length{%s}{%s}}"%(a,b)
    if k==13: return "${substr{%s}{%s}{%s}}"%(a,b,a)
    if k==14: return "${listquote{:}{%s}}"%a
    return a+b
def generate(seed, count):
  r=random.Random(seed)
  out=[]
  while len(out)<count:
    e=g(r,r.randrange(1,5))
    if not e or e[0].isupper() or e!=e.rstrip() or e.endswith("\\") or len(e)>900 or "\n" in e: continue
    out.append(e)
  return out


def main():
    import os, subprocess, tempfile
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    exprs = generate(seed, count)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ours = os.path.join(root, "target/release/exim-expand")
    with tempfile.TemporaryDirectory() as d:
        conf = os.path.join(d, "min.conf")
        open(conf, "w").write("primary_hostname = myhost.test.ex\n")
        data = ("\n".join(exprs) + "\n").encode()
        env = dict(os.environ, TZ="UTC")
        run = lambda b: subprocess.run([b, "-C", conf, "-be"], input=data, capture_output=True, env=env).stdout
        theirs, mine = run("/usr/sbin/exim4").split(b"\n> "), run(ours).split(b"\n> ")
    diffs = 0
    for i, (x, y) in enumerate(zip(theirs[:-1], mine)):
        if x != y:
            diffs += 1
            if diffs <= 10:
                print(repr(exprs[i][:200]), "\n  exim:", repr(x[:160]), "\n  ours:", repr(y[:160]))
    print("%d differences in %d compared lines (of %d)" % (diffs, len(theirs) - 1, len(exprs)))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
