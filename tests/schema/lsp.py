"""Drive yaml-language-server (npm package yaml-language-server) over stdio
as VS Code's YAML extension does: open FILE, print the server's diagnostics
("diag LINE:COL MESSAGE", 1-based) and the completion labels at LINE:COL
(0-based, as LSP counts). Shows that the `# yaml-language-server: $schema=`
header of a file finds the schema `nastavdoc schema` wrote.
Usage: lsp.py SERVER.js FILE LINE COL   (tests/run.sh, with NASTAVDOC_YAML_LS)"""
import json, os, subprocess, sys, time, select

server, path, line, col = sys.argv[1], os.path.abspath(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
p = subprocess.Popen(["node", server, "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
uri = "file://" + path
buf = b""

def send(msg):
    body = json.dumps(msg).encode()
    p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    p.stdin.flush()

def read(timeout=20):
    global buf
    end = time.time() + timeout
    while time.time() < end:
        if b"\r\n\r\n" in buf:
            head, rest = buf.split(b"\r\n\r\n", 1)
            n = int([h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")][0].split(b":")[1])
            if len(rest) >= n:
                buf = rest[n:]
                return json.loads(rest[:n])
        r, _, _ = select.select([p.stdout], [], [], 0.5)
        if r:
            buf += os.read(p.stdout.fileno(), 65536)
    return None

send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "processId": os.getpid(), "rootUri": "file://" + os.path.dirname(path),
    "capabilities": {"textDocument": {"completion": {"completionItem": {"snippetSupport": False}}}},
    "workspaceFolders": None}})
while True:
    m = read()
    if m is None or m.get("id") == 1:
        break
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
send({"jsonrpc": "2.0", "method": "workspace/didChangeConfiguration",
      "params": {"settings": {"yaml": {"validate": True, "completion": True, "hover": True, "schemas": {}}}}})
text = open(path, encoding="utf-8").read()
send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
    "textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}})
diags = None
end = time.time() + 30
while time.time() < end:
    m = read(5)
    if m is None:
        continue
    if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri:
        diags = m["params"]["diagnostics"]
        if diags:
            break
    elif "id" in m and "method" in m:  # a request from the server: answer with nulls
        send({"jsonrpc": "2.0", "id": m["id"], "result": [None] * len(m["params"].get("items", [])) if m["method"] == "workspace/configuration" else None})
for dg in diags or []:
    print("diag %d:%d %s" % (dg["range"]["start"]["line"] + 1, dg["range"]["start"]["character"] + 1, dg["message"]))
send({"jsonrpc": "2.0", "id": 2, "method": "textDocument/completion", "params": {
    "textDocument": {"uri": uri}, "position": {"line": line, "character": col}}})
end = time.time() + 20
while time.time() < end:
    m = read(5)
    if m and m.get("id") == 2:
        items = m["result"]["items"] if isinstance(m["result"], dict) else m["result"]
        print("complete", sorted(i["label"] for i in items or []))
        break
    if m and "id" in m and "method" in m:
        send({"jsonrpc": "2.0", "id": m["id"], "result": None})
p.kill()
