# tests/vm/hostreq.sh -- the host side of a VM test's requests (sourced by
# tests/vm/run-pnfs-faults.sh and tests/vm/run-tier.sh; the guest side is
# host() in tests/vm/guest/lib.sh).
#
# serve_requests NAME: until the VM (pid $VMPID) ends, answer each
# $OUT/req.N in order: its words go to the caller's `answer` function,
# whose one line (first word ok or FAIL) is written to $OUT/ack.N
# atomically, logged to $OUT/requests.log and echoed as "NAME: guest
# asks ...". The caller's `before_request` runs first when it defines
# one. Polled every 0.2 s: the guest writes the file, nothing signals.
serve_requests() {
  local name=$1 n=0 req ans
  while kill -0 "$VMPID" 2>/dev/null; do
    if [ -e "$OUT/req.$n" ]; then
      IFS= read -r req < "$OUT/req.$n"
      if declare -F before_request > /dev/null; then before_request; fi
      # shellcheck disable=SC2086  # words of the request
      ans=$(answer $req)
      echo "$(date +%T) req.$n: $req -> $ans" >> "$OUT/requests.log"
      echo "$name: guest asks '$req' -> $ans"
      echo "$ans" > "$OUT/.ack.$n" && mv "$OUT/.ack.$n" "$OUT/ack.$n"
      n=$((n + 1))
      continue
    fi
    sleep 0.2
  done
}
