# Sourced by the server fixture scripts: free_port prints a TCP port on 127.0.0.1 that nothing
# listens on (a random one in 20000–39999; exits 1 after 200 tries).
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo $p; return; fi
  done
  echo "no free port found" >&2; exit 1
}
