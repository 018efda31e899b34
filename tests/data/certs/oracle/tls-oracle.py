import socket, ssl, subprocess, sys, base64
exprs = [l.rstrip("\n") for l in open(sys.argv[1])]
with open("/tmp/certoracle/exprs", "w") as fh:
    for i, e in enumerate(exprs):
        fh.write(f"e{i}: {e}\n")
a, b = socket.socketpair()
p = subprocess.Popen(["exim", "-C", "/tmp/certoracle/exim.conf", "-bs"] + sys.argv[2:], stdin=a, stdout=a, stderr=subprocess.PIPE)
a.close()
f = b.makefile("rb")
def rd(f):
    lines = []
    while True:
        l = f.readline()
        lines.append(l)
        if len(l) < 4 or l[3:4] != b'-': break
    return lines
rd(f); b.sendall(b"EHLO x\r\n"); rd(f); b.sendall(b"STARTTLS\r\n"); rd(f)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname=False; ctx.verify_mode=ssl.CERT_NONE
import os; cc=os.environ.get("CC_CERT","/tmp/certoracle/client"); ctx.load_cert_chain(cc+".pem", cc+".key")
s = ctx.wrap_socket(b)
sf = s.makefile("rb")
s.sendall(b"EHLO x\r\n"); rd(sf)
import json, time, re
logf = open("/tmp/certoracle/mainlog", "rb"); logf.seek(0, 2)
for i, e in enumerate(exprs):
    s.sendall(f"MAIL FROM:<e{i}@x>\r\n".encode())
    r = b"".join(rd(sf)).decode()
    msg = r[4:].strip()
    if r.startswith("550 R:"):
        msg = msg[2:]
        try:
            out = {"ok": base64.b64decode(msg).decode("utf-8", "backslashreplace")}
        except Exception:
            out = {"raw": r}
    else:
        time.sleep(0.05)
        log = logf.read().decode("utf-8", "backslashreplace")
        m = re.search(r'internal expansion of ".*?" failed: (.*?)\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ', log, re.S)
        out = {"err": m.group(1)} if m else {"raw": r}
    print(json.dumps({"expr": e, **out}))

s.sendall(b"QUIT\r\n")
